import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// The workers: a `sluice work` child runs each claimed drop, each
/// pipeline's time limit (SIGTERM at the limit, SIGKILL after the grace), the
/// stop grace, and each run that did not end normally turned into a ledger
/// record. With `worker_runs` above 1 a worker is a lane worker (`sluice work
/// --serve`, see `LaneWorker`): it stays, idle, after a clean run and takes
/// the lane's next drop without starting again, until it retires (after
/// `worker_runs` runs, a failed run, growth, a changed plugin), the
/// configuration changes, or it sat idle ``idleSeconds``. Owned and called
/// only by the ``Scheduler`` actor; the workers' monitor threads report through ``events``.
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
        /// The configuration the worker runs on (a lane worker is kept only for the current one).
        let configSHA256: String
        /// The run's number in its worker's life (1 for a fresh worker).
        let served: Int
        /// How many runs the worker serves in all (`--runs`; 1 for a one-run worker).
        let runsLimit: Int
        /// The lane's next run, already sent to this lane worker's stdin: it
        /// starts the moment this one ends, without waiting for the daemon.
        var ahead: Ahead?

        var lane: String { QueuedDrop.lane(claim.pipeline, claim.kind) }
    }

    /// A claimed drop sent ahead to a busy lane worker.
    struct Ahead {
        let claim: DropClaim
        let runKey: String
        let dropId: Int64?
        let limits: RunLimits
    }

    /// A lane worker between runs.
    struct Idle {
        let process: WorkerProcess
        let configSHA256: String
        let since: Double
        let served: Int
    }

    /// How long a lane worker may wait for its lane's next drop before it is let go.
    static let idleSeconds = 60.0

    let context: DaemonContext
    /// Progress and exits of every worker, in the order their threads saw them.
    let events: AsyncStream<WorkerEvent>
    private let continuation: AsyncStream<WorkerEvent>.Continuation
    private(set) var running: [pid_t: Running] = [:]
    /// Lane workers waiting for their lane's next drop, by lane.
    private var idle: [String: Idle] = [:]
    /// The write ends of lane workers' stdin still open, by pid.
    private var openInputs: [pid_t: Int32] = [:]
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
    /// Runs sent ahead to a worker that ended before it took them.
    private var returned: [QueuedDrop] = []
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
            + running.values.compactMap { $0.ahead.map { FileSystem.baseName($0.claim.workDirectory) } }
            + retries.map { FileSystem.baseName($0.requeue.claim.workDirectory) }
            + unrecorded.map { FileSystem.baseName($0.claim.workDirectory) })
    }

    /// Starts a run of a claimed drop: on the lane's idle worker, or a new
    /// one; a run that cannot be started is a failed run.
    func start(claim: DropClaim, runKey: String, dropId: Int64?, pipeline: PipelineConfiguration,
               configuration: SluiceConfiguration, fresh: Bool = false) {
        let lane = QueuedDrop.lane(claim.pipeline, claim.kind)
        // A lane worker's request, or nil for a one-run worker.
        let request = configuration.workerRuns > 1 ? Self.request(claim: claim, runKey: runKey, dropId: dropId) : nil
        let serving = request != nil
        do {
            var reused = idle.removeValue(forKey: lane)
            if let worker = reused, fresh || !serving || worker.configSHA256 != configuration.sha256 {
                retire(worker.process)
                reused = nil
            }
            if let worker = reused, let request {
                do {
                    try worker.process.send(request)
                } catch {
                    // It died while idle (its exit is on the way): a new worker takes the run.
                    retire(worker.process)
                    reused = nil
                }
            }
            let process: WorkerProcess
            if let worker = reused {
                process = worker.process
            } else {
                process = try launch(claim: claim, runKey: runKey, dropId: dropId, configuration: configuration,
                                     serving: serving)
                if let request {
                    do { try process.send(request) } catch {
                        retire(process)   // it ends at the end of its stdin; its exit finds no run
                        throw error
                    }
                }
            }
            let served = (reused?.served ?? 0) + 1
            running[process.pid] = Running(claim: claim, runKey: runKey, dropId: dropId, limits: pipeline.limits,
                                           process: process, deadline: Timestamp.monotonic() + pipeline.limits.timeSeconds,
                                           configSHA256: configuration.sha256, served: served,
                                           runsLimit: serving ? configuration.workerRuns : 1)
            let how = reused == nil ? "started" : "took it (its run \(served))"
            context.logger.info("[\(pipeline.name) \(claim.fileName)] worker \(process.pid) \(how) (run \(runKey))")
        } catch {
            recordFailure(claim: claim, runKey: runKey, dropId: dropId, reason: "could not start a worker: \(error)",
                          configuration: configuration)
        }
    }

    /// A lane worker's request line for a run; nil when a field holds a tab or
    /// a newline (such a run gets a one-run worker instead).
    static func request(claim: DropClaim, runKey: String, dropId: Int64?) -> String? {
        let fields = [claim.workDirectory, runKey]
        guard !fields.contains(where: { $0.contains("\t") || $0.contains("\n") }) else { return nil }
        return (["run"] + fields + [dropId.map(String.init) ?? "-"]).joined(separator: "\t")
    }

    /// The lane worker busy with `lane` that can take the lane's next run
    /// ahead: one that serves at least one more run after this one and has none waiting.
    func aheadSlot(lane: String, configuration: SluiceConfiguration) -> pid_t? {
        running.first { _, worker in
            worker.lane == lane && worker.process.input != nil && worker.ahead == nil && worker.terminatedAt == nil
                && worker.served < worker.runsLimit && worker.configSHA256 == configuration.sha256
        }?.key
    }

    /// Sends a claimed drop to the lane worker `pid` to run after its current
    /// run; if that fails (it is ending), the run is given back to run soon.
    func sendAhead(to pid: pid_t, claim: DropClaim, runKey: String, dropId: Int64?, pipeline: PipelineConfiguration) {
        let ahead = Ahead(claim: claim, runKey: runKey, dropId: dropId, limits: pipeline.limits)
        do {
            guard let worker = running[pid], let request = Self.request(claim: claim, runKey: runKey, dropId: dropId) else {
                throw DaemonError("no lane worker \(pid) to send it to")
            }
            try worker.process.send(request)
            running[pid]?.ahead = ahead
            context.logger.info("[\(pipeline.name) \(claim.fileName)] sent ahead to worker \(pid) (run \(runKey))")
        } catch {
            giveBack(ahead)
        }
    }

    /// A claimed run that was sent ahead but will not run where it was sent:
    /// back to the front of its lane (``takeReturned()``), so the lane keeps its order.
    private func giveBack(_ ahead: Ahead) {
        returned.append(QueuedDrop(pipeline: ahead.claim.pipeline,
                                   source: .requeue(Recovery.Requeue(claim: ahead.claim, dropId: ahead.dropId, runKey: ahead.runKey)),
                                   kind: ahead.claim.kind))
    }

    /// The runs given back since the last call, oldest first.
    func takeReturned() -> [QueuedDrop] {
        defer { returned.removeAll() }
        return returned
    }

    /// A new `sluice work`: a lane worker when `serving`, else one for this run alone.
    private func launch(claim: DropClaim, runKey: String, dropId: Int64?, configuration: SluiceConfiguration,
                        serving: Bool) throws -> WorkerProcess {
        var arguments = ["work", "--config", configuration.file, "--lifeline-fd", "3", "--config-fd", "4"]
        if serving {
            arguments += ["--serve", "\(claim.pipeline):\(claim.kind.rawValue)", "--runs", String(configuration.workerRuns)]
        } else {
            arguments += ["--work-dir", claim.workDirectory, "--run-key", runKey]
            if let dropId { arguments += ["--drop-id", String(dropId)] }
        }
        guard let lifeline else { throw DaemonError("no lifeline pipe for workers (see the error at start)") }
        let config = try configDescriptor(configuration)
        let process = try WorkerProcess.start(executable: context.executable, arguments: arguments,
                                              inherit: [3: lifeline.read, 4: config], requests: serving, events: continuation)
        if let input = process.input { openInputs[process.pid] = input }
        return process
    }

    /// Closes a lane worker's stdin: it exits when it has read the end (at once when idle).
    private func retire(_ process: WorkerProcess) { retire(pid: process.pid) }

    private func retire(pid: pid_t) {
        if let input = openInputs.removeValue(forKey: pid) { close(input) }
    }

    /// Lets go of lane workers idle too long or on an old configuration; all of them when `all`.
    func retireIdle(now: Double, configuration: SluiceConfiguration, all: Bool = false) {
        for (lane, worker) in idle where all || now >= worker.since + Self.idleSeconds
            || worker.configSHA256 != configuration.sha256 {
            idle.removeValue(forKey: lane)
            retire(worker.process)
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

    /// Applies one event; returns the pipeline of a run that ended.
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
        case .runEnded(let pid, let status, let retiring):
            guard let worker = running.removeValue(forKey: pid) else { return nil }
            finished(worker, status: status, stoppingSince: stoppingSince, configuration: configuration)
            if let ahead = worker.ahead, retiring == nil, worker.terminatedAt == nil {
                // The worker has read the next request and runs it now. (One
                // signalled at its time limit is ending: the run goes back.)
                running[pid] = Running(claim: ahead.claim, runKey: ahead.runKey, dropId: ahead.dropId, limits: ahead.limits,
                                       process: worker.process, deadline: Timestamp.monotonic() + ahead.limits.timeSeconds,
                                       configSHA256: worker.configSHA256, served: worker.served + 1, runsLimit: worker.runsLimit)
                context.logger.info("[\(ahead.claim.pipeline) \(ahead.claim.fileName)] worker \(pid) took it (its run \(worker.served + 1), run \(ahead.runKey))")
            } else {
                worker.ahead.map(giveBack)
                keepOrRetire(worker, retiring: retiring, stopping: stoppingSince != nil, configuration: configuration)
            }
            return worker.claim.pipeline
        case .refused(let pid, let reason):
            guard let worker = running.removeValue(forKey: pid) else { return nil }
            retire(worker.process)
            worker.ahead.map(giveBack)
            context.logger.info("[\(worker.claim.pipeline) \(worker.claim.fileName)] worker \(pid) let the run go (\(reason)); a new worker takes it")
            guard stoppingSince == nil, let pipeline = configuration.pipeline(named: worker.claim.pipeline) else {
                return worker.claim.pipeline   // recovery re-runs it at the next start
            }
            start(claim: worker.claim, runKey: worker.runKey, dropId: worker.dropId, pipeline: pipeline,
                  configuration: configuration, fresh: true)
            return nil
        case .exited(let pid, let status):
            retire(pid: pid)   // its stdin, if still open
            if let lane = idle.first(where: { $0.value.process.pid == pid })?.key {
                idle.removeValue(forKey: lane)
                if status != 0 { context.logger.warning("[\(lane)] idle worker \(pid) ended: \(WorkerExit.failure(status: status, timedOut: false, limitSeconds: 0) ?? "exit 0")") }
                return nil
            }
            guard let worker = running.removeValue(forKey: pid) else { return nil }
            finished(worker, status: status, stoppingSince: stoppingSince, configuration: configuration)
            worker.ahead.map(giveBack)
            return worker.claim.pipeline
        }
    }

    /// After a lane worker's run: idle for the lane's next drop, or let go.
    private func keepOrRetire(_ worker: Running, retiring: String?, stopping: Bool, configuration: SluiceConfiguration) {
        let lane = QueuedDrop.lane(worker.claim.pipeline, worker.claim.kind)
        if let retiring {
            context.logger.info("[\(lane)] worker \(worker.process.pid) retires: \(retiring)")
            retire(worker.process)
        } else if stopping || worker.terminatedAt != nil || worker.configSHA256 != configuration.sha256 || idle[lane] != nil {
            retire(worker.process)
        } else {
            idle[lane] = Idle(process: worker.process, configSHA256: worker.configSHA256,
                              since: Timestamp.monotonic(), served: worker.served)
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
