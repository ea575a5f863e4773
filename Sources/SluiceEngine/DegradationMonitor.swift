import Logging
import SluiceConfig
import SluiceData
import SluiceFormats
import SluiceLedger
import SluicePredict
import SluiceSystem

/// Applies a pipeline's `monitor:` policy after new realized measurements of
/// the model in service: `consecutive` breaching measurements of its metric
/// (after the `cooldown` measurements that follow an action) trigger the
/// action — `alert`, `retrain` (the next training run waives the champion
/// comparison) or `rollback` (to the previous champion, through the verified
/// rollback, only when it scores better on the same newly labelled rows).
/// Every action is a ledger row and an event with the measurements behind it.
public struct DegradationMonitor {
    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
    }

    /// - Parameter labelled: for each scoring run just measured, its labelled ids and their truth.
    public func check(_ pipeline: PipelineConfiguration, labelled: [Int64: [String: String]] = [:]) throws {
        guard let policy = pipeline.monitor, let metric = policy.metric,
              let champion = try ledger.currentModel(pipeline: pipeline.name), let version = champion.version else { return }
        let lastAction = try ledger.monitorActions(pipeline: pipeline.name).last { $0.measurementId != nil }
        let lastMeasured = lastAction?.measurementId
        let considered = try ledger.realizedMetrics(pipeline: pipeline.name)
            .filter { $0.name == metric && $0.version == version && $0.id > (lastMeasured ?? 0) }
            .dropFirst(lastAction == nil ? 0 : policy.cooldown)
        guard considered.count >= policy.consecutive else { return }
        let window = Array(considered.suffix(policy.consecutive))
        let atPromotion = champion.metrics[metric]
        guard let reason = breach(window, policy: policy, metric: metric, atPromotion: atPromotion) else { return }
        let measured = window.map { String(format: "%.4g", $0.value) }.joined(separator: ", ")
        let text = "\(metric) of v\(version) \(reason) in \(window.count) measurement\(window.count == 1 ? "" : "s") in a row (\(measured))"
        let outcome = try act(policy.action, pipeline: pipeline, champion: champion, last: window.last!, reason: text,
                              labelled: labelled)
        _ = try ledger.recordMonitorAction(pipeline: pipeline.name, action: policy.action.rawValue, version: version,
                                           metric: metric, measurementId: window.last!.id, scoringRunId: nil,
                                           measured: measured,
                                           reason: text, outcome: outcome)
        try ledger.recordEvent(level: .warning, kind: "monitor.\(policy.action.rawValue)", pipeline: pipeline.name,
                               dropId: window.last!.labelsDropId, runId: window.last!.runId, message: "\(text): \(outcome)")
        logger.warning("[\(pipeline.name)] monitor: \(text): \(outcome)")
    }

    /// Drift of scored data: `consecutive` scoring drops (after the `cooldown`
    /// that follows a drift action) with more than `max_drifted_share` of
    /// their features drifted trigger the action (rollback only alerts).
    public func checkDrift(_ pipeline: PipelineConfiguration) throws {
        guard let policy = pipeline.monitor, let maxShare = policy.maxDriftedShare,
              let champion = try ledger.currentModel(pipeline: pipeline.name), let version = champion.version else { return }
        let lastAction = try ledger.monitorActions(pipeline: pipeline.name).last { $0.scoringRunId != nil }
        let considered = try ledger.scoredDrift(pipeline: pipeline.name)
            .filter { $0.id > (lastAction?.scoringRunId ?? 0) }
            .dropFirst(lastAction == nil ? 0 : policy.cooldown)
        guard considered.count >= policy.consecutive else { return }
        let window = Array(considered.suffix(policy.consecutive))
        guard window.allSatisfy({ $0.share > maxShare }) else { return }
        let measured = window.map { String(format: "%.2f", $0.share) }.joined(separator: ", ")
        let reason = "drifted share of scored data above max_drifted_share \(maxShare) in \(window.count) scoring drop\(window.count == 1 ? "" : "s") in a row (\(measured))"
        let outcome = switch policy.action {
        case .alert: "alert raised"
        case .retrain: "the next training run waives the champion comparison"
        case .rollback: "alert raised (drift alone does not say which model is better, so it does not roll back)"
        }
        let action = policy.action == .rollback ? MonitorPolicy.Action.alert : policy.action
        _ = try ledger.recordMonitorAction(pipeline: pipeline.name, action: action.rawValue, version: version, metric: "drift",
                                           measurementId: nil, scoringRunId: window.last!.id, measured: measured,
                                           reason: reason, outcome: outcome)
        try ledger.recordEvent(level: .warning, kind: "monitor.\(action.rawValue)", pipeline: pipeline.name, dropId: nil,
                               runId: nil, message: "\(reason): \(outcome)")
        logger.warning("[\(pipeline.name)] monitor: \(reason): \(outcome)")
    }

    /// Why every measurement in `window` breaches, or nil if one does not.
    func breach(_ window: [RealizedMetric], policy: MonitorPolicy, metric: String, atPromotion: Double?) -> String? {
        let lowerIsBetter = TaskMetrics.lowerIsBetter.contains(metric)
        var reasons: [String] = []
        if let min = policy.min {
            guard window.allSatisfy({ lowerIsBetter ? $0.value > min : $0.value < min }) else { return nil }
            reasons.append(lowerIsBetter ? "above max \(min)" : "below min \(min)")
        }
        if let maxDecline = policy.maxDecline, let atPromotion {
            let declines = window.map { lowerIsBetter ? $0.value - atPromotion : atPromotion - $0.value }
            guard declines.allSatisfy({ $0 > maxDecline }) else { return nil }
            reasons.append("down more than \(maxDecline) from \(String(format: "%.4g", atPromotion)) at promotion")
        } else if policy.maxDecline != nil, policy.min == nil {
            return nil   // no value at promotion to decline from
        }
        return reasons.joined(separator: " and ")
    }

    private func act(_ action: MonitorPolicy.Action, pipeline: PipelineConfiguration, champion: ModelRow,
                     last: RealizedMetric, reason: String, labelled: [Int64: [String: String]]) throws -> String {
        switch action {
        case .alert:
            return "alert raised"
        case .retrain:
            return "the next training run waives the champion comparison"
        case .rollback:
            let rollback = Rollback(configuration: configuration, ledger: ledger, logger: logger)
            let previous: ModelRow
            do { previous = try rollback.previousChampion(pipeline.name, current: champion) } catch {
                return "no rollback: \(error)"
            }
            guard let scoringRunId = last.scoringRunId, let truths = labelled[scoringRunId],
                  let theirs = try score(previous, on: scoringRunId, truths: truths, metric: last.name, pipeline: pipeline) else {
                return "no rollback: v\(previous.version ?? 0) cannot be scored on the newly labelled rows"
            }
            let better = TaskMetrics.lowerIsBetter.contains(last.name) ? theirs < last.value : theirs > last.value
            let comparison = "v\(previous.version ?? 0) scores \(String(format: "%.4g", theirs)) on the same \(last.rows) rows, v\(champion.version ?? 0) \(String(format: "%.4g", last.value))"
            guard better else { return "kept v\(champion.version ?? 0): \(comparison)" }
            do {
                _ = try rollback.perform(pipeline: pipeline.name, to: previous.version, reason: "monitor: \(reason); \(comparison)",
                                         by: "sluice monitor", action: .autoRollback)
            } catch let refused as Rollback.Refused {
                return "rollback refused: \(refused)"
            }
            return "rolled back to v\(previous.version ?? 0): \(comparison)"
        }
    }

    /// `model`'s `metric` on the labelled rows of a scoring run's archived drop.
    private func score(_ model: ModelRow, on scoringRunId: Int64, truths: [String: String], metric: String,
                       pipeline: PipelineConfiguration) throws -> Double? {
        guard let path = try ledger.scoredDropPath(scoringRunId: scoringRunId), let archive = model.archivePath else { return nil }
        let table = try DropReader.read(path).table
        let bundle = try ModelBundle.load(archive)
        guard let task = ModelTask(rawValue: bundle.model.task) else { return nil }
        let ids = ScoringRun.ids(table, column: pipeline.monitoring.idColumn)
        var rows: [Int] = [], labels: [Float] = []
        for (row, id) in ids.enumerated() {
            guard let truth = truths[id] else { continue }
            guard let label = bundle.model.label(of: truth) else { continue }
            rows.append(row)
            labels.append(label)
        }
        guard !rows.isEmpty else { return nil }
        let scores = try Predictor.scores(bundle, table: table, rows: rows,
                                          searchPath: StageCatalog.searchPath(configuration))
        return TaskMetrics.measure(task: task, classes: bundle.model.classes, labels: labels, scores: scores)
            .first { $0.0 == metric }?.1
    }
}
