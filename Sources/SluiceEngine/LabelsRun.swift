import Logging
import SluiceConfig
import SluiceData
import SluiceFormats
import SluiceLedger
import SluicePredict
import SluiceSystem

/// A labels drop (`id,target`): joined by id to the latest prediction of
/// each id from earlier scoring drops, and the model's realized metrics on
/// the matched rows — computed by the evaluate stage's own metric code —
/// stored per scoring drop (and model version). Labels that match no
/// prediction are counted and said. The drop is archived under
/// `archive/<pipeline>/labels/`; one it cannot read, or without the id or
/// target column, is quarantined.
public struct LabelsRun {
    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
    }

    public func execute(_ claim: DropClaim, pipeline: PipelineConfiguration) throws -> RunOutcome {
        let dropId = try ledger.recordDrop(pipeline: pipeline.name, fileName: claim.fileName, inboxPath: claim.inboxPath,
                                           receivedAt: claim.receivedAt, claimedAt: claim.claimedAt)
        try ledger.markDrop(id: dropId, kind: DropKind.labels.rawValue)
        let prefix = "[\(pipeline.name) labels \(claim.fileName)]"
        func quarantine(_ reason: String) throws -> RunOutcome {
            let destination = try MonitoringQuarantine.quarantine(claim, dropId: dropId, reason: reason, event: "quarantined",
                                                                  configuration: configuration, ledger: ledger, logger: logger)
            return RunOutcome(kind: .quarantined, runId: 0, dropId: dropId, reason: reason, dropPath: destination,
                              archivePath: nil, version: nil)
        }
        let drop: DropReader.Result
        do { drop = try DropReader.read(claim.path, displayName: claim.fileName) } catch { return try quarantine("\(error)") }
        let idColumn = pipeline.monitoring.idColumn
        guard drop.table[idColumn] != nil else { return try quarantine("missing id column '\(idColumn)'") }
        guard let target = drop.table[pipeline.target] else { return try quarantine("missing target column '\(pipeline.target)'") }
        try ledger.describeDrop(id: dropId, sha256: drop.sha256, sizeBytes: drop.sizeBytes, rows: Int64(drop.table.rowCount))
        let ids = ScoringRun.ids(drop.table, column: idColumn)
        let truths = (0..<drop.table.rowCount).map { row -> String? in
            switch target.values {
            case .categorical(let storage): storage.value(at: row)
            case .numeric(let storage): storage.values[row].isNaN ? nil : "\(storage.values[row])"
            }
        }
        let predictions = try ledger.latestPredictions(pipeline: pipeline.name, ids: ids)
        var groups: [Int64: (version: Int, rows: [(truth: String, scores: [Double])])] = [:]
        var labelled: [Int64: [String: String]] = [:]
        var unmatched = 0
        for (row, id) in ids.enumerated() {
            guard let prediction = predictions[id], let truth = truths[row] else { unmatched += 1; continue }
            groups[prediction.scoringRunId, default: (prediction.version, [])].rows.append((truth, prediction.scores))
            labelled[prediction.scoringRunId, default: [:]][id] = truth
        }
        var measured: [String] = []
        for scoringRunId in groups.keys.sorted() {
            let group = groups[scoringRunId]!
            if let line = try measure(group.rows, version: group.version, scoringRunId: scoringRunId, dropId: dropId,
                                      pipeline: pipeline) {
                measured.append(line)
            }
        }
        let matched = ids.count - unmatched
        let message = "\(matched) of \(ids.count) labels matched predictions" + (unmatched > 0 ? " (\(unmatched) matched nothing)" : "")
            + (measured.isEmpty ? "" : ": " + measured.joined(separator: "; "))
        let destination = try DropDisposition.archive(claim, sha256: drop.sha256, configuration: configuration)
        try ledger.finishDrop(id: dropId, outcome: .archived, reason: message, finalPath: destination)
        try ledger.recordEvent(level: unmatched > 0 ? .warning : .info, kind: "labels.joined", pipeline: pipeline.name,
                               dropId: dropId, runId: nil, message: "\(claim.fileName): \(message)")
        logger.info("\(prefix) \(message)")
        try DegradationMonitor(configuration: configuration, ledger: ledger, logger: logger).check(pipeline, labelled: labelled)
        return RunOutcome(kind: .approved, runId: 0, dropId: dropId, reason: message, dropPath: destination,
                          archivePath: nil, version: nil)
    }

    /// The realized metrics of one scoring drop's matched rows; nil when the
    /// version's model (for its classes) is gone.
    private func measure(_ rows: [(truth: String, scores: [Double])], version: Int, scoringRunId: Int64, dropId: Int64,
                         pipeline: PipelineConfiguration) throws -> String? {
        guard let archive = try ledger.model(pipeline: pipeline.name, version: version)?.archivePath else {
            logger.warning("[\(pipeline.name)] v\(version) has no archive: its labels are counted but not measured")
            return nil
        }
        let bundle: ModelBundle
        do { bundle = try ModelBundle.load(archive) } catch {
            logger.warning("[\(pipeline.name)] v\(version)'s archive cannot be read (\(error)): its labels are counted but not measured")
            return nil
        }
        let model = bundle.model
        guard let task = ModelTask(rawValue: model.task) else { return nil }
        var labels: [Float] = [], scores: [Double] = []
        for row in rows {
            guard let label = model.label(of: row.truth) else { continue }   // a class the model does not know
            labels.append(label)
            scores += row.scores
        }
        guard !labels.isEmpty else { return nil }
        let metrics = TaskMetrics.measure(task: task, classes: model.classes, labels: labels, scores: scores)
        try ledger.recordRealizedMetrics(pipeline: pipeline.name, version: version, source: "labels",
                                         scoringRunId: scoringRunId, labelsDropId: dropId, runId: nil,
                                         metrics: metrics, rows: labels.count)
        let primary = TaskMetrics.primary(task)
        let value = metrics.first { $0.0 == primary }?.1 ?? .nan
        return "v\(version) on \(labels.count) rows: \(primary) \(String(format: "%.4g", value))"
    }
}
