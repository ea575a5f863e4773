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

    @Test func confusionMetricsMatchScikitLearn() {
        // y = [1,0,1,1,0,0,1,0,1,0,0,0], p = [.9,.7,.4,.8,.6,.1,.55,.5,.3,.05,.2,.65]; scikit-learn 1.9.1:
        // precision 0.42857142857142855, recall 0.6, f1 0.5, balanced_accuracy 0.5142857142857142,
        // brier 0.223125, confusion [[3, 4], [2, 3]].
        let y: [Float] = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0]
        let p = [0.9, 0.7, 0.4, 0.8, 0.6, 0.1, 0.55, 0.5, 0.3, 0.05, 0.2, 0.65]
        let c = ClassificationMetrics.Confusion(labels: y, probabilities: p)
        #expect((c.trueNegatives, c.falsePositives, c.falseNegatives, c.truePositives) == (3, 4, 2, 3))
        #expect(abs(c.precision - 0.42857142857142855) < 1e-15)
        #expect(c.recall == 0.6)
        #expect(abs(c.f1 - 0.5) < 1e-15)
        #expect(abs(c.balancedAccuracy - 0.5142857142857142) < 1e-15)
        #expect(abs(ClassificationMetrics.brier(labels: y, probabilities: p) - 0.223125) < 1e-15)
        // zero_division=0 when nothing is predicted positive.
        let none = ClassificationMetrics.Confusion(labels: [1, 0], probabilities: [0.1, 0.2])
        #expect(none.precision == 0 && none.f1 == 0)
    }

    @Test func calibrationBinsCountEveryRow() {
        let bins = ClassificationMetrics.calibration(labels: [1, 0, 1, 1], probabilities: [0.95, 0.05, 0.9, 0.5], bins: 10)
        #expect(bins.count == 10)
        #expect(bins.reduce(0) { $0 + $1.rows } == 4)
        #expect(bins[9].rows == 2 && bins[9].observedRate == 1 && abs(bins[9].meanPredicted - 0.925) < 1e-12)
        #expect(bins[0].rows == 1 && bins[0].observedRate == 0)
    }

    @Test func accuracyUsesTheHalfThreshold() {
        #expect(ClassificationMetrics.accuracy(labels: [1, 0, 1, 0], probabilities: [0.5, 0.49, 0.2, 0.8]) == 0.5)
    }
}
