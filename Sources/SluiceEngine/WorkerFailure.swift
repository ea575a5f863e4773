import Logging
import SluiceConfig
import SluiceLedger
import SluiceSystem

/// Records a run whose worker process died (crash, limit, timeout, kill) and
/// files its drop, so nothing is lost: the run and any running stage become
/// `failed` with the reason, and the drop goes to quarantine with a `.reason`
/// — unless the worker had already filed it, which the ledger is then told.
public enum WorkerFailure {
    /// - Parameters:
    ///   - runKey: the key the worker ran under.
    ///   - dropId: the drop's row when this was a retry (otherwise found or created).
    @discardableResult
    public static func record(claim: DropClaim, runKey: String, dropId knownDrop: Int64?, reason: String,
                              configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) throws -> String {
        // What the dead worker was writing in the outbox goes now, not at the next start.
        try Recovery.removeHalfWrittenArchives(pipeline: claim.pipeline, onlyOfDeadWriters: true,
                                               configuration: configuration, logger: logger)
        if claim.kind != .train {
            return try recordMonitoring(claim: claim, runKey: runKey, reason: reason, configuration: configuration,
                                        ledger: ledger, logger: logger)
        }
        var runId: Int64
        var dropId: Int64
        if let run = try ledger.run(key: runKey) {
            runId = run.id
            dropId = run.dropId
        } else {
            // The worker died before it wrote anything.
            dropId = try knownDrop ?? ledger.recordDrop(pipeline: claim.pipeline, fileName: claim.fileName,
                                                         inboxPath: claim.inboxPath, receivedAt: claim.receivedAt,
                                                         claimedAt: claim.claimedAt)
            runId = try ledger.startRun(dropId: dropId, pipeline: claim.pipeline, runKey: runKey, seed: 0,
                                        configSHA256: configuration.sha256, workDirectory: claim.workDirectory, pid: 0,
                                        host: configuration.host)
        }
        // A worker that died after its archive was in place: the model is published, not lost.
        if let version = try PublicationRecovery.settle(runId: runId, configuration: configuration, ledger: ledger,
                                                        logger: logger)[runId] {
            try PublicationRecovery.fileApprovedDrop(claim, dropId: dropId, runId: runId, version: version,
                                                     configuration: configuration, ledger: ledger, logger: logger)
            return ""
        }
        try ledger.failRunningStages(runId: runId, message: reason)
        try ledger.finishRun(id: runId, status: .failed, message: reason, durationMs: 0)
        let prefix = "[\(claim.pipeline) run \(runId) \(claim.fileName)]"
        var destination = ""
        if claim.isPresent {
            destination = try DropDisposition.quarantine(claim, reason: reason, details: [
                ("run id", String(runId)), ("at", Timestamp.now()),
            ], configuration: configuration)
            try ledger.finishDrop(id: dropId, outcome: .quarantined, reason: reason, finalPath: destination)
            try ledger.recordEvent(level: .error, kind: "drop.quarantined", pipeline: claim.pipeline, dropId: dropId,
                                   runId: runId, message: "\(reason); quarantined → \(destination)")
            logger.error("\(prefix) \(reason); drop quarantined → \(destination)")
        } else {
            try ledger.recordEvent(level: .error, kind: "run.failed", pipeline: claim.pipeline, dropId: dropId,
                                   runId: runId, message: "\(reason) (the drop had already been filed)")
            logger.error("\(prefix) \(reason) (the drop had already been filed)")
            DropDisposition.removeWorkDirectory(claim)
        }
        return destination
    }

    /// A scoring or labels worker that died: its drop (the row the worker made,
    /// or a new one) is quarantined with the reason, its scoring run closed;
    /// no training run is invented for it.
    static func recordMonitoring(claim: DropClaim, runKey: String, reason: String, configuration: SluiceConfiguration,
                                 ledger: any Ledger, logger: Logger) throws -> String {
        let prefix = "[\(claim.pipeline) \(claim.kind.rawValue) \(claim.fileName)]"
        let kind = claim.kind == .score ? "scoring" : "labels"
        guard claim.isPresent else {
            try ledger.recordEvent(level: .error, kind: "\(kind).failed", pipeline: claim.pipeline, dropId: nil, runId: nil,
                                   message: "\(claim.fileName): \(reason) (the drop had already been filed)")
            logger.error("\(prefix) \(reason) (the drop had already been filed)")
            DropDisposition.removeWorkDirectory(claim)
            return ""
        }
        let dropId = try ledger.drop(inboxPath: claim.inboxPath, claimedAt: claim.claimedAt)
            ?? ledger.recordDrop(pipeline: claim.pipeline, fileName: claim.fileName, inboxPath: claim.inboxPath,
                                 receivedAt: claim.receivedAt, claimedAt: claim.claimedAt)
        try ledger.markDrop(id: dropId, kind: claim.kind.rawValue)
        let destination = try MonitoringQuarantine.quarantine(claim, dropId: dropId, reason: reason, event: "failed",
                                                              configuration: configuration, ledger: ledger, logger: logger)
        if claim.kind == .score {
            let scoringId = try ledger.startScoring(runKey: runKey, pipeline: claim.pipeline, dropId: dropId, modelId: nil, version: nil)
            try ledger.finishScoring(id: scoringId, status: "quarantined", rows: nil, predictionsPath: nil, summary: nil,
                                     driftedShare: nil, message: reason)
        }
        return destination
    }
}
