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
        let metrics = Self.measure(labels: labels, probabilities: probabilities) + [("holdout_rows", Double(rows.count))]
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
        rules += try championRules(context, measured: measured, labels: labels, rows: rows)
        let summary = metrics.prefix(3).map { "\($0.0) \(Self.short($0.1))" }.joined(separator: ", ")
        context.log(.info, "holdout (\(rows.count) rows): \(summary)")
        let failed = rules.filter { !$0.passed }
        let reason: String
        if !failed.isEmpty {
            reason = failed.map(\.text).joined(separator: "; ")
        } else if rules.allSatisfy({ $0.bound == "first_run" }) {
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

    /// Every metric, computed the same way for the candidate and the champion.
    static func measure(labels: [Float], probabilities: [Double]) -> [(String, Double)] {
        let confusion = ClassificationMetrics.Confusion(labels: labels, probabilities: probabilities)
        return [
            ("accuracy", ClassificationMetrics.accuracy(labels: labels, probabilities: probabilities)),
            ("auc", ClassificationMetrics.rocAUC(labels: labels, scores: probabilities)),
            ("logloss", ClassificationMetrics.logLoss(labels: labels, probabilities: probabilities)),
            ("balanced_accuracy", confusion.balancedAccuracy),
            ("precision", confusion.precision),
            ("recall", confusion.recall),
            ("f1", confusion.f1),
            ("brier", ClassificationMetrics.brier(labels: labels, probabilities: probabilities)),
        ]
    }

    /// Metrics where lower is better; all others are higher-is-better.
    static let lowerIsBetter: Set<String> = ["logloss", "brier"]

    /// The champion comparison and the first-run policy, as gate rules.
    ///
    /// The host re-scores the model in service on this drop's raw rows and
    /// hands its probabilities over as `champion/probabilities.f64` (one
    /// little-endian Double per row) with `champion/info.json`; the champion's
    /// metric is computed here on the same holdout rows as the candidate's.
    func championRules(_ context: StageContext, measured: [String: Double], labels: [Float],
                       rows: [Int]) throws -> [GateRecord.Rule] {
        struct Info: Decodable { let version: Int; let error: String? }
        let info = context.artifact("champion/info.json").flatMap { try? JSONDecoder().decode(Info.self, from: Data($0)) }
        guard let info else {
            if context.param("first_run") == "reject" {
                return [.init(metric: "champion", bound: "first_run", threshold: 0, measured: nil, passed: false,
                              text: "no champion yet and first_run is reject: publish a first model by hand or set first_run: approve")]
            }
            return [.init(metric: "champion", bound: "first_run", threshold: 0, measured: nil, passed: true,
                          text: "no champion yet (first run): the absolute rules decide")]
        }
        guard let metric = context.param("champion.metric") else { return [] }
        // An unset margin imposes nothing; with neither set, the candidate must be no worse.
        let absoluteSet = context.param("champion.min_improvement") != nil
        let relativeSet = context.param("champion.min_relative_improvement") != nil
        let minImprovement = try context.param("champion.min_improvement", default: 0.0)
        let minRelative = try context.param("champion.min_relative_improvement", default: 0.0)
        guard let candidate = measured[metric], !candidate.isNaN else {
            return [.init(metric: metric, bound: "champion", threshold: minImprovement, measured: nil, passed: false,
                          text: "\(metric) is not measured by evaluate, so it cannot be compared with champion v\(info.version)")]
        }
        if let error = info.error {
            return [.init(metric: metric, bound: "champion", threshold: minImprovement, measured: candidate, passed: false,
                          text: "champion v\(info.version) could not score this drop (\(error)), so \(metric) cannot be compared")]
        }
        guard let bytes = context.artifact("champion/probabilities.f64"), bytes.count == context.rowCount * 8 else {
            throw StageError("champion/probabilities.f64 is missing or has the wrong size")
        }
        let all = bytes.withUnsafeBytes { raw in
            (0..<context.rowCount).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }
        let championMetrics = Dictionary(uniqueKeysWithValues: Self.measure(labels: labels, probabilities: rows.map { all[$0] }))
        guard let champion = championMetrics[metric], !champion.isNaN else {
            throw StageError("the champion's \(metric) is undefined on this holdout")
        }
        for (name, value) in championMetrics where !value.isNaN { try context.putMetric("champion.\(name)", value) }
        let improvement = Self.lowerIsBetter.contains(metric) ? champion - candidate : candidate - champion
        let relative = champion != 0 ? improvement / abs(champion) : (improvement > 0 ? .infinity : 0)
        let passed = (absoluteSet || relativeSet)
            ? (!absoluteSet || improvement >= minImprovement) && (!relativeSet || relative >= minRelative)
            : improvement >= 0
        let direction = improvement >= 0 ? "better" : "worse"
        var required: [String] = []
        if absoluteSet { required.append("\(minImprovement < 0 ? "at most \(Self.short(-minImprovement)) worse" : "better by ≥ \(Self.short(minImprovement))")") }
        if relativeSet { required.append("\(minRelative < 0 ? "at most \(Self.short(-minRelative * 100))% worse" : "better by ≥ \(Self.short(minRelative * 100))%")") }
        let requirement = required.isEmpty ? "no worse" : required.joined(separator: " and ")
        let text = "\(metric) \(Self.short(candidate)) vs champion v\(info.version) \(Self.short(champion)) "
            + "(\(direction) by \(Self.short(abs(relative) * 100))%; required: \(requirement))"
        return [.init(metric: metric, bound: "champion", threshold: relativeSet ? minRelative : minImprovement,
                      measured: candidate, passed: passed, text: text)]
    }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: EvaluateStage.self) }
