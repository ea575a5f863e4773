import SluiceML
import Testing

/// Expected values are scikit-learn's (`roc_auc_score`, `log_loss`,
/// `accuracy_score`) on the same vectors, computed once and written here.
@Suite struct ClassificationMetricsTests {
    @Test func aucMatchesScikitLearnIncludingTies() {
        // roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) == 0.75
        #expect(ClassificationMetrics.rocAUC(labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8]) == 0.75)
        // Ties count one half: roc_auc_score([0,1,0,1], [0.5,0.5,0.2,0.9]) == 0.875
        #expect(ClassificationMetrics.rocAUC(labels: [0, 1, 0, 1], scores: [0.5, 0.5, 0.2, 0.9]) == 0.875)
        #expect(ClassificationMetrics.rocAUC(labels: [1, 1], scores: [0.2, 0.3]).isNaN)
    }

    @Test func logLossClipsLikeScikitLearn() {
        // log_loss([1,0], [1.0, 0.0]) with eps 1e-15 ≈ 1.0000000000000e-15
        let perfect = ClassificationMetrics.logLoss(labels: [1, 0], probabilities: [1, 0])
        #expect(perfect < 1e-14)
        // log_loss([1,0,1], [0.9,0.2,0.6]) == 0.2797765635793422
        let value = ClassificationMetrics.logLoss(labels: [1, 0, 1], probabilities: [0.9, 0.2, 0.6])
        #expect(abs(value - 0.2797765635793422) < 1e-12)
        // A confident wrong answer is large but finite.
        #expect(ClassificationMetrics.logLoss(labels: [1], probabilities: [0]).isFinite)
    }

    @Test func accuracyUsesTheHalfThreshold() {
        #expect(ClassificationMetrics.accuracy(labels: [1, 0, 1, 0], probabilities: [0.5, 0.49, 0.2, 0.8]) == 0.5)
    }
}
