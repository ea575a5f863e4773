import SluiceML
import Testing

/// Multiclass and regression metrics equal scikit-learn 1.9.1's on fixed
/// vectors (values computed once with `roc_auc_score(multi_class="ovr")`,
/// `log_loss`, `brier_score_loss`, `f1_score(average="macro")`, `r2_score`, …).
@Suite struct TaskMetricsTests {
    static let labels: [Float] = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2]
    static let probabilities: [Double] = [0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4, 0.4, 0.4, 0.2,
                                          0.5, 0.25, 0.25, 0.2, 0.2, 0.6, 0.1, 0.8, 0.1, 0.3, 0.4, 0.3, 0.6, 0.2, 0.2]

    @Test func multiclassMetricsMatchScikitLearn() {
        let measured = Dictionary(TaskMetrics.measure(task: .multiclass, classes: ["a", "b", "c"], labels: Self.labels,
                                                      scores: Self.probabilities), uniquingKeysWith: { a, _ in a })
        // A tie ([0.4, 0.4, 0.2]) goes to the first class, as numpy's argmax.
        #expect(MulticlassMetrics.predictions(probabilities: Self.probabilities, classCount: 3) == [0, 1, 2, 2, 0, 0, 2, 1, 1, 0])
        let expected: [String: Double] = [
            "auc": 0.8878968253968252, "logloss": 0.763375628441316, "brier": 0.4335, "accuracy": 0.7,
            "f1": 0.6984126984126985, "precision": 0.7222222222222222, "recall": 0.6944444444444443,
            "balanced_accuracy": 0.6944444444444443,
            "f1.a": 0.5714285714285714, "f1.b": 0.6666666666666666, "f1.c": 0.8571428571428571,
        ]
        for (name, value) in expected {
            #expect(abs(measured[name]! - value) < 1e-12, "\(name): \(measured[name]!) vs scikit-learn \(value)")
        }
    }

    @Test func regressionMetricsMatchScikitLearnIncludingANegativeR2() {
        let truth: [Float] = [3, -0.5, 2, 7, 4.5]
        let measured = Dictionary(TaskMetrics.measure(task: .regression, classes: [], labels: truth,
                                                      scores: [2.5, 0, 2, 8, 3]), uniquingKeysWith: { a, _ in a })
        #expect(abs(measured["r2"]! - 0.8801916932907348) < 1e-12)
        #expect(abs(measured["mae"]! - 0.7) < 1e-12)
        #expect(abs(measured["rmse"]! - 0.8660254037844386) < 1e-12)
        #expect(abs(measured["mape"]! - 0.32857142857142857) < 1e-12)
        // Worse than predicting the mean: R² is negative, as scikit-learn reports it.
        let reversed = RegressionMetrics.r2(truth: truth.map(Double.init), predicted: truth.reversed().map(Double.init))
        #expect(abs(reversed - -2.738019169329074) < 1e-12)
        // MAPE is undefined with a zero truth: not reported rather than huge.
        #expect(RegressionMetrics.mape(truth: [0, 1], predicted: [1, 1]).isNaN)
    }

    /// A numeric target read against the model's classes (as evaluate does):
    /// each value maps to its class by name, past the first few distinct
    /// values too; unknown values and missing ones are not classes.
    @Test func aNumericTargetMapsToKnownClassesByName() throws {
        let classes = (0..<12).map { String($0) }
        var values: [Float] = []
        for row in 0..<600 { values.append(Float((row * 7) % 12)) }
        values += [12, -0.0, .nan, 3.5, 11]
        let target = try values.withUnsafeBufferPointer {
            try TaskTarget(task: .multiclass, values: $0, classes: classes)
        }
        #expect(target.classes == classes)
        #expect(Array(target.labels.prefix(600)) == values.prefix(600).map { $0 })
        #expect(target.labels[600].isNaN && target.labels[602].isNaN && target.labels[603].isNaN)
        #expect(target.labels[601] == 0)   // -0 is the class "0"
        #expect(target.labels[604] == 11)
        #expect(target.unknownClassRows == 2)   // 12 and 3.5
    }

    @Test func classWeightsFollowScikitLearnsBalancedRule() throws {
        let labels: [Float] = [0, 0, 0, 1, 1, 2]
        let target = try labels.withUnsafeBufferPointer {
            try TaskTarget(task: .multiclass, values: $0)
        }
        let balanced = try #require(try target.classWeights(balanced: true, explicit: [:], rows: Array(0..<6)))
        // n / (K · n_class): 6 / (3·3), 6 / (3·2), 6 / (3·1).
        let third: Float = 2.0 / 3
        let expected: [Float] = [third, third, third, 1, 1, 2]
        #expect(balanced.perRow == expected)
        let explicit = try #require(try target.classWeights(balanced: false, explicit: ["2": 5], rows: Array(0..<6)))
        #expect(explicit.perRow == [1, 1, 1, 1, 1, 5])
        #expect(throws: TaskTarget.Problem.self) { try target.classWeights(balanced: false, explicit: ["7": 1], rows: [0]) }
    }
}
