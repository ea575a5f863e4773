import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// The workers: one `sluice work` child per claimed drop, each pipeline's
/// time limit (SIGTERM at the limit, SIGKILL after the grace), the stop
/// grace, and each exit turned into a ledger record when it was not a normal
/// one. Owned and called only by the ``Scheduler`` actor; the workers'
/// monitor threads report through ``events``.
final class WorkerPool {
    struct Running {
        let claim: DropClaim
        let runKey: String
        let dropId: Int64?
        let limits: RunLimits
        let process: WorkerProcess
        /// When the time limit runs out (monotonic seconds).
        let deadline: Double
        /// When SIGTERM (time limit) or SIGKILL (stop grace) was sent, if it was.
        var terminatedAt: Double?
        var progress: (stage: String, fraction: Double)?
    }

    let context: DaemonContext
    /// Progress and exits of every worker, in the order their threads saw them.
    let events: AsyncStream<WorkerEvent>
    private let continuation: AsyncStream<WorkerEvent>.Continuation
    private(set) var running: [pid_t: Running] = [:]
    /// A pipe nobody writes to: every worker gets its read end (as fd 3) and
    /// only this process holds the write end (close-on-exec, so no child
    /// inherits it). However the daemon ends — SIGKILL included — the kernel
    /// closes it, every worker reads end-of-file and exits at once, so no
    /// orphan can race the next daemon's recovery. Open for the process's life.
    private let lifeline: (read: Int32, write: Int32)?
    /// The configuration each worker runs on, as an in-memory file (its
    /// descriptor 4): the text the daemon validated, whatever the file on disk
    /// says now — an edit takes effect at a reload, never half-way. By SHA-256;
    /// only the newest is kept (a running worker has its own copy of the descriptor).
    private var configFile: (sha256: String, fd: Int32)?
    /// Drops whose worker found the ledger locked past its busy timeout, to
    /// run again once their time comes (the scheduler collects them).
    private var retries: [(due: Double, pipeline: String, kind: DropKind, requeue: Recovery.Requeue)] = []
    /// Failed runs that could not be recorded (the ledger was busy), to record again.
    private var unrecorded: [(due: Double, claim: DropClaim, runKey: String, dropId: Int64?, reason: String)] = []

    init(context: DaemonContext) {
        self.context = context
        (events, continuation) = AsyncStream.makeStream(of: WorkerEvent.self)
        do {
            lifeline = try Syscall.pipe(nonBlocking: false)
        } catch {
            context.logger.error("could not make the workers' lifeline pipe (\(error)); workers will not stop if the daemon dies")
            lifeline = nil
        }
    }

    var isEmpty: Bool { running.isEmpty }
    var count: Int { running.count }
    /// The lanes (pipeline and inbox kind) a worker runs for now.
    var busyLanes: Set<String> { Set(running.values.map { QueuedDrop.lane($0.claim.pipeline, $0.claim.kind) }) }
    /// The work folders (by name) this pool still has: running, or waiting to run or be recorded again.
    var activeWorkFolders: Set<String> {
        Set(running.values.map { FileSystem.baseName($0.claim.workDirectory) }
            + retries.map { FileSystem.baseName($0.requeue.claim.workDirectory) }
            + unrecorded.map { FileSystem.baseName($0.claim.workDirectory) })
    }

    /// Starts a worker for a claimed drop; a worker that cannot be started is a failed run.
    func start(claim: DropClaim, runKey: String, dropId: Int64?, pipeline: PipelineConfiguration,
               configuration: SluiceConfiguration) {
        var arguments = ["work", "--config", configuration.file, "--work-dir", claim.workDirectory, "--run-key", runKey,
                         "--lifeline-fd", "3", "--config-fd", "4"]
        if let dropId { arguments += ["--drop-id", String(dropId)] }
        do {
            guard let lifeline else { throw DaemonError("no lifeline pipe for workers (see the error at start)") }
            let config = try configDescriptor(configuration)
            let process = try WorkerProcess.start(executable: context.executable, arguments: arguments,
                                                  inherit: [3: lifeline.read, 4: config], events: continuation)
            running[process.pid] = Running(claim: claim, runKey: runKey, dropId: dropId, limits: pipeline.limits,
                                           process: process, deadline: Timestamp.monotonic() + pipeline.limits.timeSeconds)
            context.logger.info("[\(pipeline.name) \(claim.fileName)] worker \(process.pid) started (run \(runKey))")
        } catch {
            recordFailure(claim: claim, runKey: runKey, dropId: dropId, reason: "could not start a worker: \(error)",
                          configuration: configuration)
        }
    }

    /// The in-memory copy of `configuration`'s text, made once per version.
    private func configDescriptor(_ configuration: SluiceConfiguration) throws -> Int32 {
        if let configFile, configFile.sha256 == configuration.sha256 { return configFile.fd }
        let fd = try Syscall.memoryFile(name: "sluice-config-" + configuration.sha256.prefix(12),
                                        bytes: Array(configuration.text.utf8))
        if let old = configFile { close(old.fd) }
        configFile = (configuration.sha256, fd)
        return fd
    }

    /// Applies one event; returns the pipeline of a worker that ended.
    func handle(_ event: WorkerEvent, stoppingSince: Double?, configuration: SluiceConfiguration) -> String? {
        switch event {
        case .progress(let pid, let stage, let fraction, _):
            running[pid]?.progress = (stage, fraction)
            return nil
        case .unreadable(let pid, let reason):
            if let worker = running[pid] {
                context.logger.warning("[\(worker.claim.pipeline) \(worker.claim.fileName)] worker \(pid): \(reason)")
            }
            return nil
        case .exited(let pid, let status):
            guard let worker = running.removeValue(forKey: pid) else { return nil }
            finished(worker, status: status, stoppingSince: stoppingSince, configuration: configuration)
            return worker.claim.pipeline
        }
    }

    private func finished(_ worker: Running, status: Int32, stoppingSince: Double?, configuration: SluiceConfiguration) {
        let pid = worker.process.pid
        if let since = stoppingSince, worker.terminatedAt ?? 0 >= since {
            // Stopped for shutdown: recovery re-runs it at the next start.
            context.logger.warning("[\(worker.claim.pipeline) \(worker.claim.fileName)] worker \(pid) stopped for shutdown; the run will be redone at next start")
            return
        }
        let timedOut = worker.terminatedAt != nil
        if !timedOut, (status & 0x7f) == 0, (status >> 8) & 0xff == Self.ledgerBusyStatus {
            retryLater(worker)
            return
        }
        if let failure = WorkerExit.failure(status: status, timedOut: timedOut, limitSeconds: worker.limits.timeSeconds) {
            recordFailure(claim: worker.claim, runKey: worker.runKey, dropId: worker.dropId, reason: failure,
                          configuration: configuration)
        } else {
            context.logger.debug("[\(worker.claim.pipeline) \(worker.claim.fileName)] worker \(pid) finished")
        }
    }

    /// `sluice work`'s exit status when the ledger stayed locked past its busy timeout.
    static let ledgerBusyStatus: Int32 = 75

    /// Runs the drop again later, under a new run key, with a growing wait.
    private func retryLater(_ worker: Running) {
        let attempt = (worker.runKey.split(separator: ".").last.flatMap { $0.hasPrefix("busy") ? Int($0.dropFirst(4)) : nil } ?? 0) + 1
        let base = attempt == 1 ? worker.runKey : String(worker.runKey[..<worker.runKey.lastIndex(of: ".")!])
        let wait = min(30, 2.0 * Double(attempt))
        retries.append((Timestamp.monotonic() + wait, worker.claim.pipeline, worker.claim.kind,
                        Recovery.Requeue(claim: worker.claim, dropId: worker.dropId, runKey: "\(base).busy\(attempt)")))
        let message = "[\(worker.claim.pipeline) \(worker.claim.fileName)] the ledger stayed locked by another process "
            + "past its \(SQLLedger.busyTimeoutSeconds) s busy timeout; running the drop again in \(Int(wait)) s (retry \(attempt))"
        context.logger.warning("\(message)")
    }

    /// Retries whose time has come, and failed runs that can be recorded now.
    func due(now: Double, configuration: SluiceConfiguration) -> [QueuedDrop] {
        let ready = retries.filter { $0.due <= now }
        retries.removeAll { $0.due <= now }
        let pending = unrecorded.filter { $0.due <= now }
        unrecorded.removeAll { $0.due <= now }
        for failed in pending {
            recordFailure(claim: failed.claim, runKey: failed.runKey, dropId: failed.dropId, reason: failed.reason,
                          configuration: configuration)
        }
        return ready.map { QueuedDrop(pipeline: $0.pipeline, source: .requeue($0.requeue), kind: $0.kind) }
    }

    private func recordFailure(claim: DropClaim, runKey: String, dropId: Int64?, reason: String,
                               configuration: SluiceConfiguration) {
        do {
            try WorkerFailure.record(claim: claim, runKey: runKey, dropId: dropId, reason: reason,
                                     configuration: configuration, ledger: context.ledger, logger: context.logger)
        } catch where SQLLedger.isBusy(error) {
            context.logger.warning("[\(claim.pipeline) \(claim.fileName)] the ledger is busy; recording the failed run (\(reason)) again in 5 s")
            unrecorded.append((Timestamp.monotonic() + 5, claim, runKey, dropId, reason))
        } catch {
            context.logger.error("[\(claim.pipeline) \(claim.fileName)] could not record the failed run (\(reason)): \(error); recovery will handle it at next start")
        }
    }

    /// Time limits: SIGTERM at the deadline, SIGKILL after the grace; when
    /// stopping, SIGKILL for every worker still running after `stopGrace`.
    func enforceLimits(now: Double, stoppingSince: Double?, stopGrace: Double) {
        for (pid, worker) in running {
            if worker.terminatedAt == nil, now >= worker.deadline {
                running[pid]?.terminatedAt = now
                worker.process.signal(SIGTERM)
                context.logger.warning("[\(worker.claim.pipeline) \(worker.claim.fileName)] time limit of \(Int(worker.limits.timeSeconds)) s reached; sending SIGTERM to worker \(pid)")
            } else if let since = worker.terminatedAt, now >= since + worker.limits.graceSeconds {
                worker.process.signal(SIGKILL)
            }
        }
        if let since = stoppingSince, now >= since + stopGrace {
            for (pid, worker) in running where worker.terminatedAt == nil {
                running[pid]?.terminatedAt = now
                worker.process.signal(SIGKILL)
            }
        }
    }

    /// One part of the status line per worker, by pipeline.
    func statusParts() -> [String] {
        running.values.sorted { $0.claim.pipeline < $1.claim.pipeline }.map { worker in
            guard let progress = worker.progress else { return "\(worker.claim.pipeline): starting \(worker.claim.fileName)" }
            return "\(worker.claim.pipeline): \(progress.stage) \(worker.claim.fileName) (\(Int(progress.fraction * 100))%)"
        }
    }
}
