/// Every holdout metric of a task, computed the same way for a candidate, a
/// champion and a cross-validation fold (scikit-learn's definitions).
///
/// - binary (scores: P(classes[1]), threshold 0.5): accuracy, auc, logloss,
///   balanced_accuracy, precision, recall, f1 (of the positive class), brier.
/// - multiclass (scores: K probabilities per row): accuracy, auc (one-vs-rest,
///   macro), logloss, balanced_accuracy, precision, recall, f1 (macro), brier
///   (Σₖ over classes), and precision.<class>, recall.<class>, f1.<class>.
/// - regression (scores: predictions): rmse, mae, r2, mape (NaN when a true value is 0).
public enum TaskMetrics {
    /// Metrics where lower is better; all others are higher-is-better.
    public static let lowerIsBetter: Set<String> = ["logloss", "brier", "rmse", "mae", "mape"]

    /// The metric a champion comparison uses when none is configured.
    public static func primary(_ task: ModelTask) -> String { task == .regression ? "rmse" : "auc" }

    public static func measure(task: ModelTask, classes: [String], labels: [Float], scores: [Double]) -> [(String, Double)] {
        switch task {
        case .binary:
            let confusion = ClassificationMetrics.Confusion(labels: labels, probabilities: scores)
            return [
                ("accuracy", ClassificationMetrics.accuracy(labels: labels, probabilities: scores)),
                ("auc", ClassificationMetrics.rocAUC(labels: labels, scores: scores)),
                ("logloss", ClassificationMetrics.logLoss(labels: labels, probabilities: scores)),
                ("balanced_accuracy", confusion.balancedAccuracy),
                ("precision", confusion.precision),
                ("recall", confusion.recall),
                ("f1", confusion.f1),
                ("brier", ClassificationMetrics.brier(labels: labels, probabilities: scores)),
            ]
        case .multiclass:
            let k = classes.count
            let truth = labels.map { Int($0) }
            let confusion = multiclassConfusion(classes: classes, labels: labels, scores: scores)
            let precision = confusion.precision, recall = confusion.recall, f1 = confusion.f1
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
            var out: [(String, Double)] = [
                ("accuracy", confusion.accuracy),
                ("auc", MulticlassMetrics.rocAUC(labels: truth, probabilities: scores, classCount: k)),
                ("logloss", MulticlassMetrics.logLoss(labels: truth, probabilities: scores, classCount: k)),
                ("balanced_accuracy", confusion.balancedAccuracy),
                ("precision", mean(precision)),
                ("recall", mean(recall)),
                ("f1", mean(f1)),
                ("brier", MulticlassMetrics.brier(labels: truth, probabilities: scores, classCount: k)),
            ]
            for (c, name) in classes.enumerated() {
                out += [("precision.\(name)", precision[c]), ("recall.\(name)", recall[c]), ("f1.\(name)", f1[c])]
            }
            return out
        case .regression:
            let truth = labels.map(Double.init)
            return [
                ("rmse", RegressionMetrics.rmse(truth: truth, predicted: scores)),
                ("mae", RegressionMetrics.mae(truth: truth, predicted: scores)),
                ("r2", RegressionMetrics.r2(truth: truth, predicted: scores)),
                ("mape", RegressionMetrics.mape(truth: truth, predicted: scores)),
            ]
        }
    }

    public static func multiclassConfusion(classes: [String], labels: [Float], scores: [Double]) -> MulticlassMetrics.Confusion {
        let k = classes.count
        return MulticlassMetrics.Confusion(labels: labels.map { Int($0) },
                                           predictions: MulticlassMetrics.predictions(probabilities: scores, classCount: k),
                                           classCount: k)
    }
}
