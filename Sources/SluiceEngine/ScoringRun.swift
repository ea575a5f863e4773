import Foundation
import Logging
import SluiceArchive
import SluiceConfig
import SluiceData
import SluiceFormats
import SluiceLedger
import SluicePredict
import SluiceSystem

/// A scoring drop: checked against the schema the model in service was
/// trained on, scored by it with the scoring code `sluice predict` uses, its
/// predictions published atomically as
/// `outbox/<pipeline>/predictions/<drop name>.v<N>.csv` (id, predicted, one
/// probability per class) and kept in the ledger by id for the labels that
/// come later; the drop is archived under `archive/<pipeline>/scoring/`.
/// No model in service, an unreadable drop or a schema error quarantines it
/// with the reason.
public struct ScoringRun {
    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
    }

    public func execute(_ claim: DropClaim, pipeline: PipelineConfiguration, runKey: String? = nil) throws -> RunOutcome {
        let key = runKey ?? claim.runKey
        let dropId = try ledger.recordDrop(pipeline: pipeline.name, fileName: claim.fileName, inboxPath: claim.inboxPath,
                                           receivedAt: claim.receivedAt, claimedAt: claim.claimedAt)
        try ledger.markDrop(id: dropId, kind: DropKind.score.rawValue)
        let champion = try ledger.currentModel(pipeline: pipeline.name)
        let scoringId = try ledger.startScoring(runKey: key, pipeline: pipeline.name, dropId: dropId, modelId: champion?.id,
                                                version: champion?.version)
        let prefix = "[\(pipeline.name) scoring \(claim.fileName)]"
        func quarantine(_ reason: String) throws -> RunOutcome {
            let destination = try MonitoringQuarantine.quarantine(claim, dropId: dropId, reason: reason, event: "quarantined",
                                                                  configuration: configuration, ledger: ledger, logger: logger)
            try ledger.finishScoring(id: scoringId, status: "quarantined", rows: nil, predictionsPath: nil, summary: nil,
                                     driftedShare: nil, message: reason)
            return RunOutcome(kind: .quarantined, runId: scoringId, dropId: dropId, reason: reason, dropPath: destination,
                              archivePath: nil, version: nil)
        }
        guard let champion, let version = champion.version, let archive = champion.archivePath else {
            return try quarantine("no model in service yet to score with (publish one from the training inbox first)")
        }
        let drop: DropReader.Result, bundle: ModelBundle, schema: DataSchema
        do {
            drop = try DropReader.read(claim.path, displayName: claim.fileName, options: CSVOptions(
                maxFieldLength: pipeline.limits.maxFieldBytes, maxRows: pipeline.limits.maxRows,
                maxBytes: Int64(pipeline.limits.maxDropBytes)))
            bundle = try ModelBundle.load(archive)
            guard let trained = bundle.schema else { return try quarantine("v\(version)'s archive has no schema.json to check the drop against") }
            schema = trained
        } catch {
            return try quarantine("\(error)")
        }
        try ledger.describeDrop(id: dropId, sha256: drop.sha256, sizeBytes: drop.sizeBytes, rows: Int64(drop.table.rowCount))
        let findings = ScoringCheck.check(drop.table, schema: schema, transform: bundle.transform,
                                          features: bundle.model.features, idColumn: pipeline.monitoring.idColumn)
        for warning in findings.warnings { logger.warning("\(prefix) \(warning)") }
        guard findings.errors.isEmpty else { return try quarantine(findings.errors.joined(separator: "; ")) }
        let scores: [Double]
        do { scores = try Predictor.scores(bundle, table: drop.table,
                                                   searchPath: StageCatalog.searchPath(configuration)) } catch { return try quarantine("\(error)") }
        let published = try publish(scores, table: drop.table, bundle: bundle, version: version, claim: claim,
                                    pipeline: pipeline, scoringId: scoringId)
        CrashPoint.scored.reach()
        var summary = ScoringSummary(model: bundle.model, scores: scores, warnings: findings.warnings)
        let drift = try drift(of: drop.table, pipeline: pipeline)
        summary.drift = drift
        if let drift, drift.exceeded {
            try ledger.recordEvent(level: .warning, kind: "scoring.drift", pipeline: pipeline.name, dropId: dropId, runId: nil,
                                   message: "\(claim.fileName): \(drift.text), above max_drifted_share \(drift.maxDriftedShare)")
            logger.warning("\(prefix) \(drift.text)")
        }
        let destination = try DropDisposition.archive(claim, sha256: drop.sha256, configuration: configuration)
        let message = "scored \(drop.table.rowCount) rows with v\(version): \(summary.text)"
            + (drift.map { "; \($0.text)" } ?? "")
        try ledger.finishDrop(id: dropId, outcome: .archived, reason: message, finalPath: destination)
        try ledger.finishScoring(id: scoringId, status: "scored", rows: drop.table.rowCount, predictionsPath: published,
                                 summary: try summary.json(), driftedShare: drift?.driftedShare, message: message)
        try ledger.recordEvent(level: .info, kind: "scoring.published", pipeline: pipeline.name, dropId: dropId, runId: nil,
                               message: "\(claim.fileName): \(message) → \(published)")
        try DegradationMonitor(configuration: configuration, ledger: ledger, logger: logger).checkDrift(pipeline)
        logger.info("\(prefix) \(message) → \(published)")
        return RunOutcome(kind: .approved, runId: scoringId, dropId: dropId, reason: message, dropPath: destination,
                          archivePath: published, version: version)
    }

    /// The scored data's drift from the champion's training profile (nil without one).
    private func drift(of table: Table, pipeline: PipelineConfiguration) throws -> ScoringDrift? {
        guard let drop = try ledger.championDrop(pipeline: pipeline.name), let text = try ledger.profile(dropId: drop) else {
            return nil
        }
        let reference = try Profile.decode(Array(text.utf8), file: "the champion's training profile")
        return ScoringDrift(table: table, reference: reference, pipeline: pipeline)
    }

    /// Writes the predictions file (safely) and keeps each row's scores by id.
    private func publish(_ scores: [Double], table: Table, bundle: ModelBundle, version: Int, claim: DropClaim,
                         pipeline: PipelineConfiguration, scoringId: Int64) throws -> String {
        let model = bundle.model
        let width = max(model.width, 1)
        let ids = Self.ids(table, column: pipeline.monitoring.idColumn)
        let probabilityNames = model.link == "identity" ? [] : model.classes.map { "p_\($0)" }
        var text = ([pipeline.monitoring.idColumn, "predicted"] + probabilityNames).joined(separator: ",") + "\n"
        var rows: [(id: String, scores: [Double])] = []
        rows.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            let slice = scores[(row * width)..<((row + 1) * width)]
            let probabilities = PredictionRow.probabilities(model, slice)
            text += ([CSVText.quoted(ids[row]), PredictionRow.predicted(model, slice)] + probabilities.map { "\($0)" })
                .joined(separator: ",") + "\n"
            rows.append((ids[row], Array(slice)))
        }
        let folder = configuration.outboxDirectory(pipeline.name) + "/predictions"
        try FileSystem.createDirectory(folder)
        let path = "\(folder)/\(ModelPublisher.safeName(claim.fileName)).v\(version).csv"
        try FileSystem.writeAtomically(text, to: path)
        try ledger.recordPredictions(scoringRunId: scoringId, rows: rows)
        return path
    }

    /// Each row's id as text; numbers print without a fraction when whole
    /// (numeric ids are exact up to 2^24 = 16,777,216: larger ones should be text).
    static func ids(_ table: Table, column: String) -> [String] {
        switch table[column]?.values {
        case .categorical(let storage)?: return (0..<table.rowCount).map { storage.value(at: $0) ?? "" }
        case .numeric(let storage)?:
            return (0..<table.rowCount).map { row in
                let value = storage.values[row]
                if value.isNaN { return "" }
                return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
            }
        case nil: return Array(repeating: "", count: table.rowCount)
        }
    }
}
