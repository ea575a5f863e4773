import Foundation

/// Metrics for K ≥ 2 classes with scikit-learn's definitions. Labels are class
/// indices 0…K−1; probabilities are row-major, K per row; the prediction is
/// the most probable class (the first on ties, like numpy's argmax).
public enum MulticlassMetrics {
    public static func predictions(probabilities: [Double], classCount k: Int) -> [Int] {
        stride(from: 0, to: probabilities.count, by: k).map { start in
            var best = 0
            for c in 1..<k where probabilities[start + c] > probabilities[start + best] { best = c }
            return best
        }
    }

    /// The K × K confusion matrix: `counts[true][predicted]` (the type `evaluation.json` carries).
    public typealias Confusion = ConfusionMatrix

    /// Macro one-vs-rest ROC AUC (scikit-learn's `roc_auc_score(multi_class="ovr", average="macro")`);
    /// NaN when some class is absent from the labels.
    public static func rocAUC(labels: [Int], probabilities: [Double], classCount k: Int) -> Double {
        var total = 0.0
        for c in 0..<k {
            let binary = labels.map { Float($0 == c ? 1 : 0) }
            let scores = stride(from: c, to: probabilities.count, by: k).map { probabilities[$0] }
            let auc = ClassificationMetrics.rocAUC(labels: binary, scores: scores)
            if auc.isNaN { return .nan }
            total += auc
        }
        return total / Double(k)
    }

    /// Mean −log p(true class), p clipped to [ε, 1 − ε] with ε = 1e-15
    /// after renormalizing each row (as scikit-learn's `log_loss`).
    public static func logLoss(labels: [Int], probabilities: [Double], classCount k: Int) -> Double {
        guard !labels.isEmpty else { return .nan }
        var total = 0.0
        for (row, label) in labels.enumerated() {
            let start = row * k
            let sum = probabilities[start..<(start + k)].reduce(0, +)
            let p = min(max(probabilities[start + label] / sum, 1e-15), 1 - 1e-15)
            total -= Foundation.log(p)
        }
        return total / Double(labels.count)
    }

    /// Mean Σₖ (pₖ − [y = k])² (scikit-learn's multiclass `brier_score_loss`).
    public static func brier(labels: [Int], probabilities: [Double], classCount k: Int) -> Double {
        guard !labels.isEmpty else { return .nan }
        var total = 0.0
        for (row, label) in labels.enumerated() {
            for c in 0..<k {
                let difference = probabilities[row * k + c] - (c == label ? 1 : 0)
                total += difference * difference
            }
        }
        return total / Double(labels.count)
    }
}

extension ConfusionMatrix {
    public init(labels: [Int], predictions: [Int], classCount k: Int) {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (truth, predicted) in zip(labels, predictions) { counts[truth][predicted] += 1 }
        self.init(counts: counts)
    }

    var k: Int { counts.count }
    public var accuracy: Double {
        let total = counts.joined().reduce(0, +)
        return total == 0 ? .nan : Double((0..<k).reduce(0) { $0 + counts[$1][$1] }) / Double(total)
    }
    /// Per class; 0 where undefined (scikit-learn's zero_division default).
    public var precision: [Double] {
        (0..<k).map { c in ratio(counts[c][c], (0..<k).reduce(0) { $0 + counts[$1][c] }) }
    }
    public var recall: [Double] { (0..<k).map { c in ratio(counts[c][c], counts[c].reduce(0, +)) } }
    public var f1: [Double] {
        (0..<k).map { c in
            let predicted = (0..<k).reduce(0) { $0 + counts[$1][c] }
            return ratio(2 * counts[c][c], predicted + counts[c].reduce(0, +))
        }
    }
    /// Mean recall over the classes present in the labels.
    public var balancedAccuracy: Double {
        let present = (0..<k).filter { counts[$0].reduce(0, +) > 0 }
        return present.isEmpty ? .nan : present.map { recall[$0] }.reduce(0, +) / Double(present.count)
    }

    func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}
