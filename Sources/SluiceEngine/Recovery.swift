import Logging
import SluiceConfig
import SluiceLedger
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// What sluice does at start, before watching: finish the story of every run
/// a previous daemon left behind, so that every drop ends in archive/ or
/// quarantine/ with a ledger row saying why.
///
/// - A run the ledger says is `running` whose worker is gone becomes
///   `interrupted`; its drop is queued again, or quarantined (with the run
///   history) once it has had `max_attempts` runs.
/// - A work folder with a claimed drop but no run in the ledger is queued.
/// - A work folder whose drop never arrived (claim record only) is removed.
/// - Temp files left in the outbox (`.*.tmp`) are removed: archives are only
///   ever complete under their final name.
/// - A publication left `publishing` is completed or undone first
///   (``PublicationRecovery``); a run whose model it completed files its drop
///   as approved instead of running it again.
/// - A work folder whose claim record cannot be read is left in place with
///   an error in the log and the ledger: it is never marked handled.
public enum Recovery {
    /// A drop to run again.
    public struct Requeue: Sendable {
        public let claim: DropClaim
        /// The drop's existing ledger row, when it has one.
        public let dropId: Int64?
        /// Key for the next run (`<claim key>.<attempt>` for retries).
        public let runKey: String

        public init(claim: DropClaim, dropId: Int64?, runKey: String) {
            self.claim = claim
            self.dropId = dropId
            self.runKey = runKey
        }
    }

    /// Recovers what was left behind. `only` limits it to those work folders
    /// (by name): with a shared ledger, the folders whose claims this host
    /// holds from before its restart or took over from a host that died — never
    /// another live host's runs. Then the outbox's temp files are left alone
    /// too: which host is still writing one cannot be told.
    public static func run(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger,
                           only: Set<String>? = nil) throws -> [Requeue] {
        var published: [Int64: Int] = [:]
        if let only {
            for pending in try ledger.pendingPublications(runId: nil) {
                guard let run = try ledger.run(id: pending.runId), only.contains(FileSystem.baseName(run.workDirectory)) else {
                    continue
                }
                published.merge(try PublicationRecovery.settle(runId: run.id, configuration: configuration, ledger: ledger,
                                                               logger: logger)) { $1 }
            }
        } else {
            published = try PublicationRecovery.settle(runId: nil, configuration: configuration, ledger: ledger, logger: logger)
        }
        var handled = Set<String>()
        let interrupted = try interruptedRuns(published: published, handled: &handled, only: only,
                                              configuration: configuration, ledger: ledger, logger: logger)
        let unknown = try unknownWorkFolders(handled: handled, only: only, configuration: configuration, ledger: ledger,
                                             logger: logger)
        if only == nil { try removeHalfWrittenArchives(configuration: configuration, logger: logger) }
        return interrupted + unknown
    }

    /// Runs the ledger says are `running`: interrupted, and their drops
    /// queued again, quarantined after `max_attempts`, or filed as approved
    /// when their publication was completed.
    static func interruptedRuns(published: [Int64: Int], handled: inout Set<String>, only: Set<String>?,
                                configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) throws -> [Requeue] {
        var requeue: [Requeue] = []
        for run in try ledger.runningRuns() {
            if let only, !only.contains(FileSystem.baseName(run.workDirectory)) { continue }
            // A pid means something only on the host that ran it.
            if run.host == nil || run.host == configuration.host, let pid = run.pid, pid > 0, pid != getpid(),
               isSluiceWorker(pid) {
                // A worker that outlived its daemon: stop it, its run is re-done.
                kill(pid, SIGKILL)
            }
            handled.insert(run.workDirectory)
            if try workerHolds(run.workDirectory, pipeline: run.pipeline, ledger: ledger, logger: logger) { continue }
            if !FileSystem.isDirectory(run.workDirectory),
               try FiledRun.settle(run, configuration: configuration, ledger: ledger, logger: logger) {
                continue
            }
            let claim: DropClaim
            do {
                claim = try DropClaim.load(workDirectory: run.workDirectory)
            } catch {
                // Filed, and the folder half removed (its record gone first) when the run stopped.
                if try FiledRun.settle(run, configuration: configuration, ledger: ledger, logger: logger),
                   try removeAbandonedClaim(run.workDirectory, logger: logger) {
                    continue
                }
                try unreadableClaim(run.workDirectory, pipeline: run.pipeline, error: error, ledger: ledger, logger: logger)
                continue
            }
            // Filed, but the work folder not yet removed when the run stopped.
            if !claim.isPresent, try FiledRun.settle(run, configuration: configuration, ledger: ledger, logger: logger) {
                DropDisposition.removeWorkDirectory(claim)
                continue
            }
            if let version = published[run.id] {
                try PublicationRecovery.fileApprovedDrop(claim, dropId: run.dropId, runId: run.id, version: version,
                                                         configuration: configuration, ledger: ledger, logger: logger)
                continue
            }
            let reason = run.host.map { $0 != configuration.host } ?? false
                ? "interrupted: host \(run.host!) stopped renewing its lease while this run was executing; taken over by \(configuration.host)"
                : "interrupted: the daemon stopped while this run was executing"
            try ledger.failRunningStages(runId: run.id, message: reason)
            try ledger.finishRun(id: run.id, status: .interrupted, message: reason, durationMs: 0)
            try ledger.recordEvent(level: .warning, kind: "run.interrupted", pipeline: run.pipeline, dropId: run.dropId,
                                   runId: run.id, message: reason)
            guard claim.isPresent else { continue }
            guard let pipeline = configuration.pipeline(named: claim.pipeline) else {
                try quarantineLeftover(claim, dropId: run.dropId, reason: "pipeline '\(claim.pipeline)' is no longer configured",
                                       configuration: configuration, ledger: ledger, logger: logger)
                continue
            }
            requeue += try again(claim, dropId: run.dropId, pipeline: pipeline, what: "was interrupted",
                                 giveUp: "interrupted", configuration: configuration, ledger: ledger, logger: logger)
        }
        return requeue
    }

    /// Work folders the ledger does not know about: a claimed drop never run
    /// is queued; a claim whose drop never arrived is removed.
    static func unknownWorkFolders(handled: Set<String>, only: Set<String>?, configuration: SluiceConfiguration,
                                   ledger: any Ledger, logger: Logger) throws -> [Requeue] {
        var requeue: [Requeue] = []
        let work = configuration.workDirectory
        for name in (FileSystem.isDirectory(work) ? try FileSystem.list(work) : [])
            where !handled.contains(work + "/" + name) && (only?.contains(name) ?? true) {
            let folder = work + "/" + name
            guard FileSystem.isDirectory(folder) else { continue }
            let claim: DropClaim
            do {
                claim = try DropClaim.load(workDirectory: folder)
            } catch {
                if try removeAbandonedClaim(folder, logger: logger) { continue }
                try unreadableClaim(folder, pipeline: nil, error: error, ledger: ledger, logger: logger)
                continue
            }
            if let existing = try ledger.run(key: claim.runKey) {
                // A finished run leaves no folder; one that ended without filing
                // its drop (its failure could not be recorded: a full disk) does.
                guard claim.isPresent, let pipeline = configuration.pipeline(named: claim.pipeline) else {
                    if !claim.isPresent { DropDisposition.removeWorkDirectory(claim) }
                    continue
                }
                if try workerHolds(folder, pipeline: claim.pipeline, ledger: ledger, logger: logger) { continue }
                requeue += try again(claim, dropId: existing.dropId, pipeline: pipeline,
                                     what: "ended (\(existing.status.rawValue)) without filing its drop",
                                     giveUp: "its runs ended without filing it", configuration: configuration,
                                     ledger: ledger, logger: logger)
                continue
            }
            guard claim.isPresent else {
                DropDisposition.removeWorkDirectory(claim)
                continue
            }
            guard configuration.pipeline(named: claim.pipeline) != nil else {
                try quarantineLeftover(claim, dropId: nil, reason: "pipeline '\(claim.pipeline)' is no longer configured",
                                       configuration: configuration, ledger: ledger, logger: logger)
                continue
            }
            if try workerHolds(folder, pipeline: claim.pipeline, ledger: ledger, logger: logger) { continue }
            logger.warning("[\(claim.pipeline) \(claim.fileName)] claimed but never run; queueing it")
            requeue.append(Requeue(claim: claim, dropId: nil, runKey: claim.runKey))
        }
        return requeue
    }

    /// The work folders (by name; only those in `among` when given) whose
    /// worker lock a live process holds now: recovery left them alone, and the
    /// daemon recovers each once its lock is let go (``run(configuration:ledger:logger:only:)``).
    public static func stillHeld(configuration: SluiceConfiguration, among: Set<String>?) throws -> Set<String> {
        let work = configuration.workDirectory
        guard FileSystem.isDirectory(work) else { return [] }
        var held = Set<String>()
        for name in try FileSystem.list(work) where among?.contains(name) ?? true {
            if try DropClaim.isHeldByAWorker(work + "/" + name, timeout: 0) { held.insert(name) }
        }
        return held
    }

    /// Temp files a crash left in an outbox: archives are only ever complete under their final name.
    static func removeHalfWrittenArchives(configuration: SluiceConfiguration, logger: Logger) throws {
        for pipeline in configuration.pipelines {
            try removeHalfWrittenArchives(pipeline: pipeline.name, onlyOfDeadWriters: false,
                                          configuration: configuration, logger: logger)
        }
    }

    /// A pipeline's outbox temp files (`.<name>.<pid>.<tag>.tmp`); with
    /// `onlyOfDeadWriters`, only those whose writing process is gone — what a
    /// worker that died while writing its archive left, removed as soon as its
    /// death is recorded rather than at the next start.
    public static func removeHalfWrittenArchives(pipeline: String, onlyOfDeadWriters: Bool,
                                                 configuration: SluiceConfiguration, logger: Logger) throws {
        let outbox = configuration.outboxDirectory(pipeline)
        for folder in [outbox, outbox + "/rejected"] where FileSystem.isDirectory(folder) {
            for name in try FileSystem.list(folder) where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                if onlyOfDeadWriters {
                    let parts = name.split(separator: ".")
                    guard parts.count >= 3, let pid = Int32(parts[parts.count - 3]), kill(pid, 0) != 0, errno == ESRCH else {
                        continue
                    }
                }
                try FileSystem.remove(folder + "/" + name)
                logger.warning("[\(pipeline)] removed an incomplete archive left in the outbox: \(name)")
            }
        }
    }

    /// The drop run again under `<claim key>.<attempt>`, or quarantined once it
    /// has had `max_attempts` runs (`giveUp` says how they ended).
    static func again(_ claim: DropClaim, dropId: Int64, pipeline: PipelineConfiguration, what: String, giveUp: String,
                      configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) throws -> [Requeue] {
        let attempts = try ledger.attempts(dropId: dropId)
        guard attempts < pipeline.maxAttempts else {
            try quarantineLeftover(claim, dropId: dropId,
                                   reason: "\(giveUp) \(attempts) times (max_attempts \(pipeline.maxAttempts)); giving up",
                                   configuration: configuration, ledger: ledger, logger: logger)
            return []
        }
        logger.warning("[\(claim.pipeline) \(claim.fileName)] its run \(what); running it again (attempt \(attempts + 1) of \(pipeline.maxAttempts))")
        return [Requeue(claim: claim, dropId: dropId, runKey: "\(claim.runKey).\(attempts + 1)")]
    }

    /// Whether a worker still holds `folder` (a worker outlived its daemon
    /// and has not exited within 10 s): then its drop is not touched — never
    /// run twice — and an operator is told; the next start looks again.
    static func workerHolds(_ folder: String, pipeline: String, ledger: any Ledger, logger: Logger) throws -> Bool {
        guard try DropClaim.isHeldByAWorker(folder, timeout: 10) else { return false }
        let message = "work folder \(folder) is still held by a live worker (\(DropClaim.workerLockName)); "
            + "its drop is left alone until that worker ends"
        try ledger.recordEvent(level: .error, kind: "work.worker_alive", pipeline: pipeline, dropId: nil, runId: nil,
                               message: message)
        logger.error("[\(pipeline)] \(message)")
        return true
    }

    /// A work folder a claim never finished: it holds only the claim
    /// record's temp file (and perhaps a worker lock), because the daemon
    /// stopped before the record was in place — the drop was never moved out
    /// of the inbox. Removes it; true when it was such a folder.
    static func removeAbandonedClaim(_ folder: String, logger: Logger) throws -> Bool {
        let names = try FileSystem.list(folder)
        let leftovers = names.allSatisfy {
            $0 == DropClaim.workerLockName || ($0.hasPrefix("." + DropClaim.recordName) && $0.hasSuffix(".tmp"))
        }
        guard leftovers else { return false }
        for name in names { try FileSystem.remove(folder + "/" + name) }
        try FileSystem.removeDirectory(folder)
        if !names.isEmpty { logger.info("removed \(folder): a claim that never completed (the drop stayed in its inbox)") }
        return true
    }

    /// A work folder whose claim record cannot be read: its drop cannot be
    /// run or filed safely, so it stays where it is and an operator is told.
    static func unreadableClaim(_ folder: String, pipeline: String?, error: any Error, ledger: any Ledger,
                                logger: Logger) throws {
        let message = "work folder \(folder) has a claim record that cannot be read (\(error)); left in place for an operator"
        try ledger.recordEvent(level: .error, kind: "work.unreadable_claim", pipeline: pipeline, dropId: nil, runId: nil,
                               message: message)
        logger.error("\(message)")
    }

    static func quarantineLeftover(_ claim: DropClaim, dropId: Int64?, reason: String, configuration: SluiceConfiguration,
                                   ledger: any Ledger, logger: Logger) throws {
        let id = try dropId ?? ledger.recordDrop(pipeline: claim.pipeline, fileName: claim.fileName,
                                                 inboxPath: claim.inboxPath, receivedAt: claim.receivedAt,
                                                 claimedAt: claim.claimedAt)
        let destination = try DropDisposition.quarantine(claim, reason: reason, details: [("at", Timestamp.now())],
                                                         configuration: configuration)
        try ledger.finishDrop(id: id, outcome: .quarantined, reason: reason, finalPath: destination)
        try ledger.recordEvent(level: .error, kind: "drop.quarantined", pipeline: claim.pipeline, dropId: id, runId: nil,
                               message: "\(reason); quarantined → \(destination)")
        logger.error("[\(claim.pipeline) \(claim.fileName)] \(reason); quarantined → \(destination)")
    }

    /// Whether `pid` is a live `sluice work` process.
    static func isSluiceWorker(_ pid: Int32) -> Bool {
        FileSystem.isSluice(pid, running: "work")
    }
}
