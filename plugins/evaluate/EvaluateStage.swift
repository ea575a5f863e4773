import Foundation
import SluiceML
import SluicePluginSDK
import SluiceFormats

/// The stock `evaluate` stage: scores `model.json` on the holdout rows and
/// decides. Metrics follow scikit-learn's definitions (``TaskMetrics``):
/// binary — `accuracy`, `balanced_accuracy`, `precision`, `recall`, `f1`
/// (positive class, threshold 0.5; 0 when undefined), `auc` (ties count half),
/// `logloss` (clipped at 1e-15), `brier`; multiclass — the same names as
/// macro averages (`auc` one-vs-rest) plus `precision.<class>`, `recall.<class>`,
/// `f1.<class>`; regression — `rmse`, `mae`, `r2`, `mape`; and `holdout_rows`.
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
    static let version = "2.0.0"
    static let kind = StageKind.evaluate
    static let summary = "holdout metrics for binary, multiclass and regression models; applies the promotion rules"

    func run(_ context: StageContext) throws {
        guard let bytes = context.artifact("model.json") else {
            throw StageError("no model.json artifact; a train stage must run before evaluate")
        }
        let model: LinearModel
        do { model = try LinearModel.decode(bytes) } catch {
            throw StageError("model.json: \(error)")
        }
        guard let task = TaskTarget.Task(rawValue: model.task) else {
            throw StageError("model.json has task '\(model.task)'; evaluate scores binary, multiclass and regression")
        }
        guard let targetColumn = context.column(named: model.target) else {
            throw StageError("target column '\(model.target)' not found")
        }
        let target = try context.taskTarget(targetColumn, task: task, classes: task == .regression ? nil : model.classes)
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
        if target.unknownClassRows > 0 {
            context.log(.warning, "\(target.unknownClassRows) rows have a class the model was not trained on; they are not scored")
        }
        let scores = model.scores(columns: columns, rows: rows)
        let labels = rows.map { target.labels[$0] }
        let metrics = TaskMetrics.measure(task: task, classes: model.classes, labels: labels, scores: scores)
            + [("holdout_rows", Double(rows.count))]
        for (name, value) in metrics where !value.isNaN { try context.putMetric(name, value) }
        let measured = Dictionary(metrics, uniquingKeysWith: { first, _ in first })

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
        rules += try championRules(context, task: task, classes: model.classes, measured: measured, labels: labels, rows: rows)
        rules += try baselineRules(context, task: task, classes: model.classes, target: target, roles: roles,
                                   measured: measured, labels: labels)
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
        let encoder = FormatCoding.prettyEncoder()
        try context.putArtifact("gate.json", Array(try encoder.encode(
            GateRecord(decision: decision, reason: "\(decision): \(reason)", rules: rules))))
        try context.putArtifact("evaluation.json", Array(try encoder.encode(Evaluation(
            task: task.rawValue, metrics: measured.filter { !$0.value.isNaN },
            confusion: task == .binary ? ClassificationMetrics.Confusion(labels: labels, probabilities: scores) : nil,
            confusionMatrix: task == .multiclass
                ? TaskMetrics.multiclassConfusion(classes: model.classes, labels: labels, scores: scores) : nil,
            calibration: task == .binary ? ClassificationMetrics.calibration(labels: labels, probabilities: scores) : nil,
            classes: model.classes))))
        if context.params["holdout_scores"] == "true" {
            try context.putArtifact("holdout_scores.csv", Self.scoresCSV(rows: rows, scores: scores, task: task,
                                                                         classes: model.classes))
        }
        if failed.isEmpty { context.approve(reason) } else { context.reject(reason) }
    }

    /// With `holdout_scores: true`: what each holdout row was scored, as
    /// `sluice predict` prints it (1-based row, shortest round-trip text), so
    /// the two can be compared bit for bit.
    static func scoresCSV(rows: [Int], scores: [Double], task: TaskTarget.Task, classes: [String]) -> [UInt8] {
        let width = scores.count / max(rows.count, 1)
        let names: [String] = switch task {
        case .binary: ["p_\(classes.count > 1 ? classes[1] : "positive")"]
        case .multiclass: classes.map { "p_\($0)" }
        case .regression: ["predicted"]
        }
        var text = "row," + names.joined(separator: ",") + "\n"
        for (index, row) in rows.enumerated() {
            text += "\(row + 1)," + scores[(index * width)..<((index + 1) * width)].map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return Array(text.utf8)
    }

    static func short(_ value: Double) -> String { String(format: "%.4g", value) }

    /// The champion comparison and the first-run policy, as gate rules.
    ///
    /// The host re-scores the model in service on this drop's raw rows and
    /// hands its scores over as `champion/scores.f64` (`width` little-endian
    /// Doubles per row: P(positive), K class probabilities, or the prediction)
    /// with `champion/info.json`; the champion's metric is computed here on the
    /// same holdout rows as the candidate's.
    func championRules(_ context: StageContext, task: TaskTarget.Task, classes: [String], measured: [String: Double],
                       labels: [Float], rows: [Int]) throws -> [GateRecord.Rule] {
        // An unreadable champion/info.json is an error: read as "no champion",
        // the first-run rule would approve a model that must beat one.
        let info = try context.artifact("champion/info.json").map { try ChampionInfo.decode($0) }
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
        let width = info.width ?? 1
        if task != .regression, let championClasses = info.classes, championClasses != classes {
            return [.init(metric: metric, bound: "champion", threshold: minImprovement, measured: candidate, passed: false,
                          text: "champion v\(info.version) predicts classes \(championClasses.joined(separator: ", ")), "
                              + "the candidate \(classes.joined(separator: ", ")): \(metric) cannot be compared")]
        }
        guard let bytes = context.artifact("champion/scores.f64"), bytes.count == context.rowCount * 8 * width else {
            throw StageError("champion/scores.f64 is missing or has the wrong size")
        }
        var championScores = [Double]()
        championScores.reserveCapacity(rows.count * width)
        bytes.withUnsafeBytes { raw in
            for row in rows {
                for o in 0..<width {
                    championScores.append(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(
                        fromByteOffset: (row * width + o) * 8, as: UInt64.self))))
                }
            }
        }
        let championMetrics = Dictionary(TaskMetrics.measure(task: task, classes: classes, labels: labels, scores: championScores),
                                         uniquingKeysWith: { first, _ in first })
        guard let champion = championMetrics[metric], !champion.isNaN else {
            throw StageError("the champion's \(metric) is undefined on this holdout")
        }
        for (name, value) in championMetrics where !value.isNaN { try context.putMetric("champion.\(name)", value) }
        let improvement = TaskMetrics.lowerIsBetter.contains(metric) ? champion - candidate : candidate - champion
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

extension EvaluateStage {
    /// The trivial predictor, scored on the same holdout rows and recorded as
    /// `baseline.<metric>`: the training rows' class shares for every row
    /// (so the majority class is predicted), or their mean for regression.
    /// With `baseline.metric`, a rule requires the candidate to beat it by
    /// `baseline.min_improvement` (default 0: no worse).
    func baselineRules(_ context: StageContext, task: TaskTarget.Task, classes: [String], target: TaskTarget,
                       roles: [RowRole], measured: [String: Double], labels: [Float]) throws -> [GateRecord.Rule] {
        let training = roles.indices.filter { roles[$0] == .train && !target.labels[$0].isNaN }.map { target.labels[$0] }
        guard !training.isEmpty else { return [] }
        let perRow: [Double]
        switch task {
        case .regression:
            perRow = [training.reduce(0.0) { $0 + Double($1) } / Double(training.count)]
        case .binary:
            perRow = [Double(training.filter { $0 == 1 }.count) / Double(training.count)]
        case .multiclass:
            var counts = [Double](repeating: 0, count: classes.count)
            for label in training where Int(label) < counts.count { counts[Int(label)] += 1 }
            perRow = counts.map { $0 / Double(training.count) }
        }
        let scores = Array((0..<labels.count).map { _ in perRow }.joined())
        let baseline = Dictionary(TaskMetrics.measure(task: task, classes: classes, labels: labels, scores: scores),
                                  uniquingKeysWith: { first, _ in first })
        for (name, value) in baseline where !value.isNaN { try context.putMetric("baseline.\(name)", value) }
        guard let metric = context.param("baseline.metric") else { return [] }
        let minImprovement = try context.param("baseline.min_improvement", default: 0.0)
        guard let candidate = measured[metric], !candidate.isNaN, let trivial = baseline[metric], !trivial.isNaN else {
            return [.init(metric: metric, bound: "baseline", threshold: minImprovement, measured: measured[metric], passed: false,
                          text: "\(metric) cannot be compared with the baseline (not measured or undefined on this holdout)")]
        }
        let improvement = TaskMetrics.lowerIsBetter.contains(metric) ? trivial - candidate : candidate - trivial
        let passed = improvement >= minImprovement
        let what = task == .regression ? "the training mean" : "the class priors (majority class)"
        let text = "\(metric) \(Self.short(candidate)) vs baseline \(Self.short(trivial)) (\(what); "
            + "\(improvement >= 0 ? "better" : "worse") by \(Self.short(abs(improvement))); required: better by ≥ \(Self.short(minImprovement)))"
        return [.init(metric: metric, bound: "baseline", threshold: minImprovement, measured: candidate, passed: passed, text: text)]
    }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: EvaluateStage.self) }
