import SluiceConfig
import SluiceLedger
import SluiceSystem

/// `outbox/<pipeline>/current.tar.gz`, the model in service, and the lock
/// that keeps it in step with the ledger: whoever switches it (a
/// publication, a rollback, a forced promotion, recovery) records the change
/// in the ledger and moves the link while holding `flock` on
/// `outbox/<pipeline>/.current.lock`, so the two never disagree.
public enum CurrentPointer {
    /// Runs `body` holding the pipeline's current-pointer lock.
    public static func withLock<Result>(pipeline: String, configuration: SluiceConfiguration,
                                        _ body: () throws -> Result) throws -> Result {
        let folder = configuration.outboxDirectory(pipeline)
        try FileSystem.createDirectory(folder)
        return try FileLock.withExclusive(folder + "/.current.lock", body)
    }

    /// Points `current.tar.gz` at the ledger's champion (or removes the link
    /// when there is none). Call it holding the lock.
    public static func repoint(pipeline: String, configuration: SluiceConfiguration, ledger: any Ledger) throws {
        let link = configuration.outboxDirectory(pipeline) + "/current.tar.gz"
        guard let path = try ledger.currentModel(pipeline: pipeline)?.archivePath else {
            if FileSystem.symlinkTarget(link) != nil { try FileSystem.remove(link) }
            return
        }
        let target = FileSystem.baseName(path)
        if FileSystem.symlinkTarget(link) != target { try FileSystem.replaceSymlink(link, target: target) }
    }
}
