import Logging
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluicePluginHost
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// `sluice serve`: the long-running daemon. One thread runs one `poll(2)` loop
/// over inotify, a signal self-pipe and the workers' progress pipes:
///
/// watch → queue → worker. inotify events only add names to per-pipeline
/// queues (de-duplicated); claiming (rename into `work/`) happens when a
/// worker slot is free, and each run executes in its own `sluice work` child.
/// A pipeline runs one drop at a time, in arrival order; pipelines run in
/// parallel up to `workers`. The watchdog keep-alive is sent from this loop,
/// so it stops when the loop stalls.
public final class Daemon {
    enum Source {
        case inbox(String)
        case requeue(Recovery.Requeue)
    }

    struct Job {
        let pipeline: String
        let source: Source
    }

    struct Running {
        let claim: DropClaim
        let runKey: String
        let dropId: Int64?
        let limits: RunLimits
        let process: WorkerProcess
    }

    /// How long running workers may take to finish after SIGTERM before they
    /// are killed (their runs are then re-run at the next start).
    public static let stopGraceSeconds = 20.0

    /// Most names queued per pipeline. Past it, names are not kept in memory:
    /// the inbox itself holds the backlog, and it is rescanned when the queue
    /// has drained.
    public static let maxQueuedPerPipeline = 10_000

    let configPath: String
    var configuration: SluiceConfiguration
    let ledger: SQLiteLedger
    let logger: Logger
    let notifier = SystemdNotifier()
    let watcher: InotifyWatcher
    let executable: String
    var watches: [Int32: String] = [:]
    var queues: [String: [Job]] = [:]
    var queuedPaths = Set<String>()
    /// Pipelines whose queue hit the bound since their inbox was last scanned.
    var overflowed = Set<String>()
    var settling: [String: (pipeline: String, size: Int64, since: Double)] = [:]
    var running: [pid_t: Running] = [:]
    var stoppingSince: Double?
    var lastWatchdog = 0.0
    var metricsDirty = true

    public init(configPath: String, configuration: SluiceConfiguration, logger: Logger) throws {
        self.configPath = configPath
        self.configuration = configuration
        self.logger = logger
        ledger = try SQLiteLedger(path: configuration.ledgerPath)
        watcher = try InotifyWatcher()
        executable = FileSystem.symlinkTarget("/proc/self/exe") ?? CommandLine.arguments[0]
    }

    /// Runs until SIGTERM or SIGINT; returns the process exit status.
    public func run() throws -> Int32 {
        let signals = try SignalPipe.install([SIGTERM, SIGINT, SIGHUP, SIGCHLD])
        _ = try StageCatalog(configuration: configuration, loader: PluginLoader())
        try FileSystem.createDirectory(configuration.workDirectory)
        for requeue in try Recovery.run(configuration: configuration, ledger: ledger, logger: logger) {
            enqueue(Job(pipeline: requeue.claim.pipeline, source: .requeue(requeue)))
        }
        setUpWatches()
        notifier.send("READY=1", "STATUS=\(statusText())")
        logger.info("watching \(configuration.pipelines.count) pipeline inbox\(configuration.pipelines.count == 1 ? "" : "es") with \(configuration.workers) worker\(configuration.workers == 1 ? "" : "s"); ready")

        while true {
            dispatch()
            if stoppingSince != nil && running.isEmpty { break }
            var fds = [pollfd(fd: watcher.descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signals, events: Int16(POLLIN), revents: 0)]
            let workers = Array(running.values)
            fds += workers.map { pollfd(fd: $0.process.output, events: Int16(POLLIN), revents: 0) }
            try Syscall.poll(&fds, timeoutMilliseconds: Int32(timeoutMilliseconds()))
            if fds[1].revents != 0 { handleSignals(SignalPipe.drain()) }
            if fds[0].revents != 0 {
                do {
                    handle(try watcher.drain())
                } catch {
                    logger.error("reading inotify events failed: \(error); rescanning every inbox")
                    rescan()
                }
            }
            for (index, worker) in workers.enumerated() where fds[index + 2].revents != 0 {
                readProgress(worker)
            }
            reap()
            checkTimers()
            notifier.status(statusText())
            writeMetricsIfNeeded()
        }
        watcher.removeAll()
        logger.info("stopped")
        return 0
    }

    // MARK: Intake

    /// Records a daemon-level event; a ledger that cannot take it is said in
    /// the log (the daemon keeps serving: the journal still has the event).
    func recordEvent(level: EventLevel, kind: String, pipeline: String?, dropId: Int64?, runId: Int64?, message: String) {
        do {
            try ledger.recordEvent(level: level, kind: kind, pipeline: pipeline, dropId: dropId, runId: runId, message: message)
        } catch {
            logger.error("could not record event \(kind) in the ledger: \(error) (event: \(message))")
        }
    }

    /// The drops waiting in `pipeline`'s inbox; an inbox that cannot be read
    /// is an error in the log and the ledger, not an empty inbox.
    func scanInbox(_ pipeline: PipelineConfiguration) -> [String] {
        do {
            return try InboxScanner.scan(pipeline.inbox)
        } catch {
            logger.error("[\(pipeline.name)] cannot read inbox \(pipeline.inbox): \(error)")
            recordEvent(level: .error, kind: "inbox.unreadable", pipeline: pipeline.name, dropId: nil, runId: nil,
                        message: "cannot read inbox \(pipeline.inbox): \(error)")
            return []
        }
    }

    func setUpWatches() {
        watcher.removeAll()
        watches.removeAll()
        for pipeline in configuration.pipelines {
            do {
                try FileSystem.createDirectory(pipeline.inbox)
                for folder in [configuration.archiveDirectory(pipeline.name), configuration.quarantineDirectory(pipeline.name),
                               configuration.outboxDirectory(pipeline.name)] {
                    try FileSystem.createDirectory(folder)
                }
                watches[try watcher.watch(pipeline.inbox)] = pipeline.name
            } catch {
                logger.error("[\(pipeline.name)] cannot watch inbox \(pipeline.inbox): \(error); this pipeline is not served")
                recordEvent(level: .error, kind: "inbox.unavailable", pipeline: pipeline.name, dropId: nil,
                                        runId: nil, message: "cannot watch inbox \(pipeline.inbox): \(error)")
            }
        }
        rescan()
    }

    /// Queues every drop waiting in every watched inbox (at start, after an
    /// inotify overflow, after a reload).
    func rescan() {
        for pipeline in configuration.pipelines where watches.values.contains(pipeline.name) {
            for path in scanInbox(pipeline) {
                enqueue(Job(pipeline: pipeline.name, source: .inbox(path)))
            }
        }
    }

    func enqueue(_ job: Job) {
        let key: String
        switch job.source {
        case .inbox(let path): key = path
        case .requeue(let requeue): key = requeue.claim.workDirectory
        }
        if case .inbox = job.source, queues[job.pipeline, default: []].count >= Self.maxQueuedPerPipeline {
            if overflowed.insert(job.pipeline).inserted {
                logger.warning("[\(job.pipeline)] more than \(Self.maxQueuedPerPipeline) drops waiting; the rest stay in the inbox until the queue drains")
            }
            return
        }
        guard queuedPaths.insert(key).inserted else { return }
        settling.removeValue(forKey: key)
        queues[job.pipeline, default: []].append(job)
        logger.debug("[\(job.pipeline)] queued \(FileSystem.baseName(key))")
    }

    func handle(_ events: [InotifyWatcher.Event]) {
        for event in events {
            switch event.kind {
            case .overflow:
                logger.warning("inotify queue overflowed; rescanning every inbox")
                rescan()
            case .folderGone:
                guard let pipeline = watches.removeValue(forKey: event.watch) else { continue }
                logger.error("[\(pipeline)] inbox folder disappeared; this pipeline is not served until it exists again and sluice is reloaded")
                recordEvent(level: .error, kind: "inbox.gone", pipeline: pipeline, dropId: nil, runId: nil,
                                        message: "inbox folder disappeared")
            case .closedOrMovedIn, .created:
                guard let pipeline = watches[event.watch], let folder = watcher.folder(event.watch),
                      InboxScanner.isDropName(event.name) else { continue }
                let path = folder + "/" + event.name
                if event.kind == .closedOrMovedIn {
                    enqueue(Job(pipeline: pipeline, source: .inbox(path)))
                } else if !queuedPaths.contains(path) {
                    // Created but not yet closed: taken when closed, or when its size has settled.
                    settling[path] = (pipeline, (try? FileSystem.size(path)) ?? -1, Timestamp.monotonic())
                }
            }
        }
    }

    // MARK: Workers

    func dispatch() {
        guard stoppingSince == nil else { return }
        let busy = Set(running.values.map(\.claim.pipeline))
        for pipeline in configuration.pipelines where running.count < configuration.workers && !busy.contains(pipeline.name) {
            if queues[pipeline.name, default: []].isEmpty, overflowed.remove(pipeline.name) != nil {
                for path in scanInbox(pipeline) {
                    enqueue(Job(pipeline: pipeline.name, source: .inbox(path)))
                }
            }
            while var queue = queues[pipeline.name], !queue.isEmpty {
                let job = queue.removeFirst()
                queues[pipeline.name] = queue
                if start(job, pipeline: pipeline) { break }
            }
        }
    }

    /// Claims and starts one job; false if there was nothing to run after all.
    func start(_ job: Job, pipeline: PipelineConfiguration) -> Bool {
        let claim: DropClaim, runKey: String, dropId: Int64?
        switch job.source {
        case .inbox(let path):
            queuedPaths.remove(path)
            guard FileSystem.isRegularFile(path) else { return false }
            do {
                claim = try DropClaim.claim(path, pipeline: pipeline.name, workRoot: configuration.workDirectory)
            } catch {
                logger.warning("[\(pipeline.name)] could not claim \(FileSystem.baseName(path)): \(error)")
                return false
            }
            runKey = claim.runKey
            dropId = nil
        case .requeue(let requeue):
            queuedPaths.remove(requeue.claim.workDirectory)
            claim = requeue.claim
            runKey = requeue.runKey
            dropId = requeue.dropId
        }
        var arguments = ["work", "--config", configuration.file, "--work-dir", claim.workDirectory, "--run-key", runKey]
        if let dropId { arguments += ["--drop-id", String(dropId)] }
        do {
            let process = try WorkerProcess(executable: executable, arguments: arguments,
                                            timeLimit: pipeline.limits.timeSeconds)
            running[process.pid] = Running(claim: claim, runKey: runKey, dropId: dropId, limits: pipeline.limits,
                                           process: process)
            logger.info("[\(pipeline.name) \(claim.fileName)] worker \(process.pid) started (run \(runKey))")
        } catch {
            do {
                try WorkerFailure.record(claim: claim, runKey: runKey, dropId: dropId,
                                         reason: "could not start a worker: \(error)", configuration: configuration,
                                         ledger: ledger, logger: logger)
            } catch let recordError {
                logger.error("[\(pipeline.name) \(claim.fileName)] could not start a worker (\(error)) nor record it (\(recordError)); recovery will handle it at next start")
            }
        }
        return true
    }

    /// Reads a worker's progress lines; a pipe that cannot be read only costs its progress display.
    func readProgress(_ worker: Running) {
        do {
            try worker.process.readOutput()
        } catch {
            logger.warning("[\(worker.claim.pipeline) \(worker.claim.fileName)] progress of worker \(worker.process.pid) cannot be read: \(error)")
        }
    }

    func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            guard let worker = running.removeValue(forKey: pid) else { continue }
            readProgress(worker)
            metricsDirty = true
            if let since = stoppingSince, worker.process.terminatedAt ?? 0 >= since {
                // Stopped for shutdown: recovery re-runs it at the next start.
                logger.warning("[\(worker.claim.pipeline) \(worker.claim.fileName)] worker \(pid) stopped for shutdown; the run will be redone at next start")
                continue
            }
            let timedOut = worker.process.terminatedAt != nil
            if let failure = WorkerExit.failure(status: status, timedOut: timedOut, limitSeconds: worker.limits.timeSeconds) {
                do {
                    try WorkerFailure.record(claim: worker.claim, runKey: worker.runKey, dropId: worker.dropId,
                                             reason: failure, configuration: configuration, ledger: ledger, logger: logger)
                } catch {
                    logger.error("[\(worker.claim.pipeline) \(worker.claim.fileName)] could not record the failed run: \(error); recovery will handle it at next start")
                }
            } else {
                logger.debug("[\(worker.claim.pipeline) \(worker.claim.fileName)] worker \(pid) finished")
            }
        }
    }

    // MARK: Signals

    func handleSignals(_ signals: [Int32]) {
        for signal in signals {
            switch signal {
            case SIGTERM, SIGINT:
                guard stoppingSince == nil else { continue }
                stoppingSince = Timestamp.monotonic()
                notifier.send("STOPPING=1")
                logger.info("stopping: \(running.count) run\(running.count == 1 ? "" : "s") to finish (at most \(Int(Self.stopGraceSeconds)) s)")
            case SIGHUP:
                reload()
            default:
                break   // SIGCHLD: reap() runs every iteration
            }
        }
    }

    /// Re-reads the configuration. Running work finishes on the old one; a
    /// broken new one is refused and the old one kept.
    func reload() {
        notifier.reloading()
        do {
            let next = try ConfigLoader.load(configPath)
            guard next.stateDirectory == configuration.stateDirectory else {
                throw Failure("state_dir changed from \(configuration.stateDirectory) to \(next.stateDirectory); restart sluice to move it")
            }
            _ = try StageCatalog(configuration: next, loader: PluginLoader())
            configuration = next
            for pipeline in queues.keys where next.pipeline(named: pipeline) == nil {
                for job in queues.removeValue(forKey: pipeline) ?? [] {
                    if case .inbox(let path) = job.source { queuedPaths.remove(path) }
                }
            }
            setUpWatches()
            logger.info("configuration reloaded: \(next.pipelines.count) pipeline\(next.pipelines.count == 1 ? "" : "s") (\(next.pipelines.map(\.name).joined(separator: ", ")))")
            recordEvent(level: .info, kind: "config.reloaded", pipeline: nil, dropId: nil, runId: nil,
                                    message: "configuration reloaded from \(next.file) (sha256 \(next.sha256.prefix(12))…)")
        } catch {
            logger.error("reload refused, keeping the running configuration: \(error)")
            recordEvent(level: .error, kind: "config.reload_failed", pipeline: nil, dropId: nil, runId: nil,
                                    message: "\(error)")
        }
        notifier.send("READY=1", "STATUS=\(statusText())")
    }

    // MARK: Timers

    func checkTimers() {
        let now = Timestamp.monotonic()
        for worker in running.values {
            if worker.process.terminatedAt == nil, now >= worker.process.deadline {
                worker.process.terminatedAt = now
                worker.process.signal(SIGTERM)
                logger.warning("[\(worker.claim.pipeline) \(worker.claim.fileName)] time limit of \(Int(worker.limits.timeSeconds)) s reached; sending SIGTERM to worker \(worker.process.pid)")
            } else if let since = worker.process.terminatedAt, now >= since + worker.limits.graceSeconds {
                worker.process.signal(SIGKILL)
            }
        }
        if let since = stoppingSince, now >= since + Self.stopGraceSeconds {
            for worker in running.values where worker.process.terminatedAt == nil {
                worker.process.terminatedAt = now
                worker.process.signal(SIGKILL)
            }
        }
        for (path, entry) in settling {
            let size = (try? FileSystem.size(path)) ?? -1
            if size < 0 {
                settling.removeValue(forKey: path)
            } else if size != entry.size {
                settling[path] = (entry.pipeline, size, now)
            } else if now - entry.since >= configuration.settleSeconds {
                logger.info("[\(entry.pipeline)] \(FileSystem.baseName(path)) was never closed but its size settled; taking it")
                enqueue(Job(pipeline: entry.pipeline, source: .inbox(path)))
            }
        }
        if let interval = notifier.watchdogInterval, now - lastWatchdog >= interval {
            lastWatchdog = now
            notifier.send("WATCHDOG=1")
        }
    }

    func timeoutMilliseconds() -> Double {
        var wait = 1000.0
        if let interval = notifier.watchdogInterval { wait = min(wait, interval * 1000 / 2) }
        if !settling.isEmpty { wait = min(wait, 250) }
        return max(wait, 10)
    }

    // MARK: Status

    func statusText() -> String {
        if stoppingSince != nil { return "stopping, \(running.count) run\(running.count == 1 ? "" : "s") finishing" }
        let waiting = queues.values.reduce(0) { $0 + $1.count }
        if running.isEmpty {
            let count = configuration.pipelines.count
            return "idle, \(count) pipeline\(count == 1 ? "" : "s")" + (waiting > 0 ? ", \(waiting) queued" : "")
        }
        let parts = running.values.sorted { $0.claim.pipeline < $1.claim.pipeline }.map { worker -> String in
            guard let progress = worker.process.progress else {
                return "\(worker.claim.pipeline): starting \(worker.claim.fileName)"
            }
            return "\(worker.claim.pipeline): \(progress.stage) \(worker.claim.fileName) (\(Int(progress.fraction * 100))%)"
        }
        return parts.joined(separator: "; ") + (waiting > 0 ? "; \(waiting) queued" : "")
    }

    func writeMetricsIfNeeded() {
        guard metricsDirty, let path = configuration.metricsFile else { return }
        metricsDirty = false
        do {
            try FileSystem.createDirectory(FileSystem.directory(of: path))
            try FileSystem.writeAtomically(try PrometheusMetrics.render(ledger: ledger, pipelines: configuration.pipelines.map(\.name)),
                                           to: path)
        } catch {
            logger.warning("could not write metrics to \(path): \(error)")
        }
    }
}

/// An error with a message for people.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
