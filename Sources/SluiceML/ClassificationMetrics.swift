#if canImport(Glibc)
import Glibc
#endif

/// Binary classification metrics, with scikit-learn's definitions.
public enum ClassificationMetrics {
    /// Share of rows where `probability ≥ 0.5` matches the 0/1 label.
    public static func accuracy(labels: [Float], probabilities: [Double]) -> Double {
        guard !labels.isEmpty else { return .nan }
        var correct = 0
        for (label, p) in zip(labels, probabilities) where (p >= 0.5 ? 1 : 0) == Int(label) { correct += 1 }
        return Double(correct) / Double(labels.count)
    }

    /// Area under the ROC curve (Mann–Whitney U with average ranks for ties).
    /// NaN when only one class is present.
    public static func rocAUC(labels: [Float], scores: [Double]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = average }
            start = end + 1
        }
        var positives = 0.0, rankSum = 0.0
        for (index, label) in labels.enumerated() where label == 1 {
            positives += 1
            rankSum += ranks[index]
        }
        let negatives = Double(labels.count) - positives
        guard positives > 0, negatives > 0 else { return .nan }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
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
