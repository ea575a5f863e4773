import Logging
import SluiceConfig
import SluiceLedger
import SluiceSystem

/// Settles publications a crash left `publishing`, so the outbox, `current`
/// and the ledger agree again:
/// - the archive is in place under its final name (it only ever appears
///   whole, by link): the publication is completed — `current` points at it,
///   the row is `published`, the promotion recorded — and its run's drop is
///   filed as approved rather than run again;
/// - no archive: the reservation is abandoned (its version is never reused)
///   and `current` is pointed back at the ledger's champion.
public enum PublicationRecovery {
    /// Settles `runId`'s pending publications (every pending one when nil).
    /// - Returns: the runs whose publication was completed, with their version.
    @discardableResult
    public static func settle(runId: Int64?, configuration: SluiceConfiguration, ledger: any Ledger,
                              logger: Logger) throws -> [Int64: Int] {
        var completed: [Int64: Int] = [:]
        for pending in try ledger.pendingPublications(runId: runId) {
            let prefix = "[\(pending.pipeline) run \(pending.runId)]"
            if FileSystem.isRegularFile(pending.archivePath) {
                let folder = FileSystem.directory(of: pending.archivePath)
                let sha256 = try ContentHash.sha256(file: pending.archivePath)
                let reason = "v\(pending.version) approved: \(pending.reasons) (publication completed after an interruption)"
                try CurrentPointer.withLock(pipeline: pending.pipeline, configuration: configuration) {
                    try FileSystem.replaceSymlink("\(folder)/current.tar.gz", target: FileSystem.baseName(pending.archivePath))
                    // A rejected model being published was a forced promotion (`sluice promote --force`).
                    let forced = try ledger.model(runId: pending.runId)?.decision == .rejected
                    try ledger.completePublication(pending, archiveSHA256: sha256, reason: reason,
                                                   action: forced ? .forcePromote : .approve, by: "sluice")
                }
                try ledger.recordEvent(level: .warning, kind: "model.publish_completed", pipeline: pending.pipeline,
                                       dropId: nil, runId: pending.runId,
                                       message: "v\(pending.version) was written but not recorded when its run stopped; completed (current → v\(pending.version))")
                logger.warning("\(prefix) v\(pending.version) was in place but not recorded; publication completed")
                completed[pending.runId] = pending.version
            } else {
                try ledger.abandonPublication(pending, reason: "publishing was interrupted before the archive was written")
                try repointCurrent(pipeline: pending.pipeline, configuration: configuration, ledger: ledger)
                try ledger.recordEvent(level: .warning, kind: "model.publish_abandoned", pipeline: pending.pipeline,
                                       dropId: nil, runId: pending.runId,
                                       message: "v\(pending.version) was reserved but never written; the version is left unused")
                logger.warning("\(prefix) v\(pending.version) was reserved but never written; abandoned")
            }
        }
        return completed
    }

    /// Points `current.tar.gz` at the ledger's champion, under the current-pointer lock.
    public static func repointCurrent(pipeline: String, configuration: SluiceConfiguration, ledger: any Ledger) throws {
        try CurrentPointer.withLock(pipeline: pipeline, configuration: configuration) {
            try CurrentPointer.repoint(pipeline: pipeline, configuration: configuration, ledger: ledger)
        }
    }

    /// Files the drop of a run whose publication recovery completed: archived
    /// as approved, the run closed as approved.
    static func fileApprovedDrop(_ claim: DropClaim, dropId: Int64, runId: Int64, version: Int,
                                 configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) throws {
        let reason = "model v\(version) approved and published (completed after an interruption)"
        if claim.isPresent {
            let sha256 = try ContentHash.sha256(file: claim.path)
            let destination = try DropDisposition.archive(claim, sha256: sha256, configuration: configuration)
            try ledger.finishDrop(id: dropId, outcome: .archived, reason: reason, finalPath: destination)
        } else {
            DropDisposition.removeWorkDirectory(claim)
        }
        try ledger.failRunningStages(runId: runId, message: "interrupted after publishing")
        try ledger.finishRun(id: runId, status: .approved, message: reason, durationMs: 0)
        logger.warning("[\(claim.pipeline) \(claim.fileName)] \(reason)")
    }
}
