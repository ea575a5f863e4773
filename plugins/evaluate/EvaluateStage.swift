import Foundation
import SluiceML
import SluicePluginSDK

/// The stock `evaluate` stage: scores `model.json` on the holdout rows and
/// decides. Metrics: `accuracy`, `auc` (ROC AUC), `logloss`, `holdout_rows`.
///
/// Rules come as parameters `min.<metric>` / `max.<metric>`; the host passes
/// the pipeline's `promotion:` rules this way. Every rule is checked and every
/// failing one is named in the verdict, e.g.
/// `auc 0.612 < min 0.75; logloss 0.71 > max 0.55`. With no rules, the model
/// is approved and the reason says so.
struct EvaluateStage: Stage {
    static let name = "evaluate"
    static let version = "1.0.0"
    static let kind = StageKind.evaluate
    static let summary = "accuracy, ROC AUC and log loss on the holdout rows; applies min/max promotion rules"

    func run(_ context: StageContext) throws {
        guard let bytes = context.artifact("model.json") else {
            throw StageError("no model.json artifact; a train stage must run before evaluate")
        }
        let model = try JSONDecoder().decode(LogisticModel.self, from: Data(bytes))
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
        let metrics: [(String, Double)] = [
            ("accuracy", ClassificationMetrics.accuracy(labels: labels, probabilities: probabilities)),
            ("auc", ClassificationMetrics.rocAUC(labels: labels, scores: probabilities)),
            ("logloss", ClassificationMetrics.logLoss(labels: labels, probabilities: probabilities)),
            ("holdout_rows", Double(rows.count)),
        ]
        for (name, value) in metrics where !value.isNaN { try context.putMetric(name, value) }
        let measured = Dictionary(uniqueKeysWithValues: metrics)

        var passed: [String] = [], failed: [String] = []
        for (key, text) in context.params.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == "min" || parts[0] == "max" else { continue }
            guard let threshold = Double(text) else {
                throw StageError("rule \(key): expected a number, got '\(text)'")
            }
            let metric = parts[1]
            guard let value = measured[metric], !value.isNaN else {
                failed.append("\(metric) is not measured by evaluate (it measures: accuracy, auc, logloss), "
                              + "so rule \(key) \(text) cannot pass")
                continue
            }
            let ok = parts[0] == "min" ? value >= threshold : value <= threshold
            let relation = parts[0] == "min" ? (ok ? "≥" : "<") : (ok ? "≤" : ">")
            let line = "\(metric) \(Self.short(value)) \(relation) \(parts[0]) \(Self.short(threshold))"
            if ok { passed.append(line) } else { failed.append(line) }
        }
        let summary = metrics.prefix(3).map { "\($0.0) \(Self.short($0.1))" }.joined(separator: ", ")
        context.log(.info, "holdout (\(rows.count) rows): \(summary)")
        if !failed.isEmpty {
            context.reject(failed.joined(separator: "; "))
        } else if passed.isEmpty {
            context.approve("no promotion rules configured (\(summary))")
        } else {
            context.approve(passed.joined(separator: "; "))
        }
    }

    static func short(_ value: Double) -> String { String(format: "%.4g", value) }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: EvaluateStage.self) }
