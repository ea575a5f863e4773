import Logging
import SluiceConfig
import SluiceLedger
import SluiceSystem

/// Quarantining a scoring or labels drop: the drop moved beside its `.reason`,
/// its ledger row finished, a `<kind>.<event>` event and a log line — the one
/// path for ScoringRun, LabelsRun and a worker of theirs that died.
enum MonitoringQuarantine {
    /// - Returns: where the drop is now.
    static func quarantine(_ claim: DropClaim, dropId: Int64, reason: String, event: String,
                           configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) throws -> String {
        let destination = try DropDisposition.quarantine(claim, reason: reason, details: [("at", Timestamp.now())],
                                                         configuration: configuration)
        try ledger.finishDrop(id: dropId, outcome: .quarantined, reason: reason, finalPath: destination)
        let kind = claim.kind == .score ? "scoring" : "labels"
        try ledger.recordEvent(level: .error, kind: "\(kind).\(event)", pipeline: claim.pipeline, dropId: dropId, runId: nil,
                               message: "\(claim.fileName): \(reason); quarantined → \(destination)")
        logger.error("[\(claim.pipeline) \(kind) \(claim.fileName)] \(reason); quarantined → \(destination)")
        return destination
    }
}
