import Foundation

/// Binary classification metrics, with scikit-learn's definitions.
public enum ClassificationMetrics {
    /// Share of rows where `probability ≥ 0.5` matches the 0/1 label.
    public static func accuracy(labels: [Float], probabilities: [Double]) -> Double {
        guard !labels.isEmpty else { return .nan }
        var correct = 0
        for (label, p) in zip(labels, probabilities) where (p >= 0.5 ? 1 : 0) == Int(label) { correct += 1 }
        return Double(correct) / Double(labels.count)
    }

    /// Area under the ROC curve (Mann–Whitney U; a tie counts one half, as average ranks do).
    /// NaN when only one class is present.
    public static func rocAUC(labels: [Float], scores: [Double]) -> Double {
        // Mann-Whitney: Σ over positives of the negatives scored below it plus
        // half of those tied, counted by walking the two sorted score lists (the
        // same exact numerator as the average-rank formula, so the same result,
        // without sorting row indices through a closure).
        var positive: [Double] = [], negative: [Double] = []
        for (label, score) in zip(labels, scores) {
            if label == 1 { positive.append(score) } else { negative.append(score) }
        }
        guard !positive.isEmpty, !negative.isEmpty else { return .nan }
        positive.sort()
        negative.sort()
        var halves = 0  // twice the numerator, to stay in integers
        var below = 0
        var index = 0
        while index < positive.count {
            let score = positive[index]
            while below < negative.count && negative[below] < score { below += 1 }
            var tiedEnd = below
            while tiedEnd < negative.count && negative[tiedEnd] == score { tiedEnd += 1 }
            var same = 0
            while index < positive.count && positive[index] == score { same += 1; index += 1 }
            halves += same * (2 * below + (tiedEnd - below))
        }
        return Double(halves) / 2 / (Double(positive.count) * Double(negative.count))
    }

    /// Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15].
    public static func logLoss(labels: [Float], probabilities: [Double]) -> Double {
        guard !labels.isEmpty else { return .nan }
        let epsilon = 1e-15
        var total = 0.0
        for (label, p) in zip(labels, probabilities) {
            let clipped = min(max(p, epsilon), 1 - epsilon)
            total -= label == 1 ? log(clipped) : log(1 - clipped)
        }
        return total / Double(labels.count)
    }
}

extension ClassificationMetrics {
    /// Counts at the 0.5 threshold (the type `evaluation.json` carries).
    public typealias Confusion = BinaryConfusion
    public typealias CalibrationBin = SluiceFormats.CalibrationBin

    /// Mean squared difference between probability and 0/1 label.
    public static func brier(labels: [Float], probabilities: [Double]) -> Double {
        guard !labels.isEmpty else { return .nan }
        var total = 0.0
        for (label, p) in zip(labels, probabilities) { total += (p - Double(label)) * (p - Double(label)) }
        return total / Double(labels.count)
    }

    /// Reliability table: `bins` equal-width probability bins with, for each,
    /// the rows in it, their mean predicted probability and the observed rate.
    public static func calibration(labels: [Float], probabilities: [Double], bins: Int = 10) -> [CalibrationBin] {
        var counts = [Int](repeating: 0, count: bins), predicted = [Double](repeating: 0, count: bins)
        var positives = [Double](repeating: 0, count: bins)
        for (label, p) in zip(labels, probabilities) {
            let bin = min(bins - 1, max(0, Int(p * Double(bins))))
            counts[bin] += 1
            predicted[bin] += p
            positives[bin] += Double(label)
        }
        var table: [CalibrationBin] = []
        for bin in 0..<bins {
            let rows = counts[bin]
            let size = Double(max(rows, 1))
            table.append(CalibrationBin(lower: Double(bin) / Double(bins), upper: Double(bin + 1) / Double(bins),
                                        rows: rows, meanPredicted: predicted[bin] / size, observedRate: positives[bin] / size))
        }
        return table
    }
}

extension BinaryConfusion {
    public init(labels: [Float], probabilities: [Double]) {
        self.init()
        for (label, p) in zip(labels, probabilities) {
            switch (label == 1, p >= 0.5) {
            case (true, true): truePositives += 1
            case (false, true): falsePositives += 1
            case (false, false): trueNegatives += 1
            case (true, false): falseNegatives += 1
            }
        }
    }

    /// TP / (TP + FP); 0 when nothing is predicted positive (scikit-learn's zero_division=0).
    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    /// TP / (TP + FN); 0 when there are no positives.
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    /// Harmonic mean of precision and recall; 0 when both are 0.
    public var f1: Double { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }
    /// Mean of the recall of each class.
    public var balancedAccuracy: Double {
        (recall + ratio(trueNegatives, trueNegatives + falsePositives)) / 2
    }

    func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}
