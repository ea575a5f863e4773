import Foundation
import SluiceML
import SluicePluginSDK

/// The stock `evaluate` stage: scores `model.json` on the holdout rows and
/// decides. Metrics (scikit-learn's definitions, threshold 0.5): `accuracy`,
/// `balanced_accuracy`, `precision`, `recall`, `f1` (positive class; 0 when
/// undefined), `auc` (ROC AUC, ties count half), `logloss` (clipped at 1e-15),
/// `brier`, `holdout_rows`.
///
/// Rules come as parameters `min.<metric>` / `max.<metric>`; the host passes
/// the pipeline's `promotion:` rules this way. Every rule is checked (min rules
/// first, then max, each by metric name) and every failing one is named in the
/// verdict, e.g. `auc 0.612 < min 0.75; logloss 0.71 > max 0.55`. With no
/// rules, the model is approved and the reason says so: the gate always ends
/// approved or rejected.
///
/// Artifacts: `gate.json` (``GateRecord``: each rule with measured value,
/// threshold and outcome; the host copies it into the ledger) and
/// `evaluation.json` (metrics, confusion matrix, 10-bin calibration table).
struct EvaluateStage: Stage {
    static let name = "evaluate"
    static let version = "1.0.0"
    static let kind = StageKind.evaluate
    static let summary = "accuracy, ROC AUC and log loss on the holdout rows; applies min/max promotion rules"

    func run(_ context: StageContext) throws {
        guard let bytes = context.artifact("model.json") else {
            throw StageError("no model.json artifact; a train stage must run before evaluate")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let model = try decoder.decode(LogisticModel.self, from: Data(bytes))
        guard model.format == LogisticModel.format else {
            throw StageError("model.json has format '\(model.format)'; this evaluate reads '\(LogisticModel.format)'")
        }
        guard let targetColumn = context.column(named: model.target) else {
            throw StageError("target column '\(model.target)' not found")
        }
        let positive = model.classes.count == 2 ? model.classes[1] : nil
        let target = switch targetColumn.type {
        case .categorical:
            try BinaryTarget(codes: context.codes(targetColumn), dictionary: context.dictionary(targetColumn),
                             positiveClass: positive)
        case .numeric:
            try BinaryTarget(values: context.numeric(targetColumn), positiveClass: positive)
        }
        var columns: [UnsafeBufferPointer<Float>] = []
        for feature in model.features {
            guard let column = context.column(named: feature), column.type == .numeric else {
                throw StageError("feature '\(feature)' used by the model is not a numeric column of the table")
            }
            columns.append(context.numeric(column))
        }
        let roles = context.rowRoles
        let rows = roles.indices.filter { roles[$0] == .holdout && !target.labels[$0].isNaN }
        guard !rows.isEmpty else { throw StageError("no holdout rows with a target value to evaluate on") }
        let probabilities = LogisticRegression.predict(columns: columns, rows: rows,
                                                       weights: model.weights, intercept: model.intercept)
        let labels = rows.map { target.labels[$0] }
        let confusion = ClassificationMetrics.Confusion(labels: labels, probabilities: probabilities)
        let metrics: [(String, Double)] = [
            ("accuracy", ClassificationMetrics.accuracy(labels: labels, probabilities: probabilities)),
            ("auc", ClassificationMetrics.rocAUC(labels: labels, scores: probabilities)),
            ("logloss", ClassificationMetrics.logLoss(labels: labels, probabilities: probabilities)),
            ("balanced_accuracy", confusion.balancedAccuracy),
            ("precision", confusion.precision),
            ("recall", confusion.recall),
            ("f1", confusion.f1),
            ("brier", ClassificationMetrics.brier(labels: labels, probabilities: probabilities)),
            ("holdout_rows", Double(rows.count)),
        ]
        for (name, value) in metrics where !value.isNaN { try context.putMetric(name, value) }
        let measured = Dictionary(uniqueKeysWithValues: metrics)

        var rules: [GateRecord.Rule] = []
        let ruleParams = context.params.compactMap { key, text -> (bound: String, metric: String, text: String)? in
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "min" || parts[0] == "max" else { return nil }
            return (parts[0], parts[1], text)
        }.sorted { ($0.bound == "min" ? 0 : 1, $0.metric) < ($1.bound == "min" ? 0 : 1, $1.metric) }
        let measuredNames = metrics.map(\.0).filter { $0 != "holdout_rows" }
        for rule in ruleParams {
            guard let threshold = Double(rule.text) else {
                throw StageError("rule \(rule.bound).\(rule.metric): expected a number, got '\(rule.text)'")
            }
            guard let value = measured[rule.metric], !value.isNaN else {
                rules.append(.init(metric: rule.metric, bound: rule.bound, threshold: threshold, measured: nil, passed: false,
                                   text: "\(rule.metric) is not measured by evaluate (it measures: "
                                       + measuredNames.joined(separator: ", ") + "), so \(rule.bound) \(rule.text) cannot pass"))
                continue
            }
            let ok = rule.bound == "min" ? value >= threshold : value <= threshold
            let relation = rule.bound == "min" ? (ok ? "≥" : "<") : (ok ? "≤" : ">")
            rules.append(.init(metric: rule.metric, bound: rule.bound, threshold: threshold, measured: value, passed: ok,
                               text: "\(rule.metric) \(Self.short(value)) \(relation) \(rule.bound) \(Self.short(threshold))"))
        }
        let summary = metrics.prefix(3).map { "\($0.0) \(Self.short($0.1))" }.joined(separator: ", ")
        context.log(.info, "holdout (\(rows.count) rows): \(summary)")
        let failed = rules.filter { !$0.passed }
        let reason: String
        if !failed.isEmpty {
            reason = failed.map(\.text).joined(separator: "; ")
        } else if rules.isEmpty {
            reason = "no promotion rules configured (\(summary))"
        } else {
            reason = rules.map(\.text).joined(separator: "; ")
        }
        let decision = failed.isEmpty ? "approved" : "rejected"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try context.putArtifact("gate.json", Array(try encoder.encode(
            GateRecord(decision: decision, reason: "\(decision): \(reason)", rules: rules))))
        struct Evaluation: Encodable {
            let metrics: [String: Double]
            let confusion: ClassificationMetrics.Confusion
            let calibration: [ClassificationMetrics.CalibrationBin]
            let classes: [String]
        }
        try context.putArtifact("evaluation.json", Array(try encoder.encode(Evaluation(
            metrics: measured.filter { !$0.value.isNaN }, confusion: confusion,
            calibration: ClassificationMetrics.calibration(labels: labels, probabilities: probabilities),
            classes: model.classes))))
        if failed.isEmpty { context.approve(reason) } else { context.reject(reason) }
    }

    static func short(_ value: Double) -> String { String(format: "%.4g", value) }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: EvaluateStage.self) }
