import Logging
import ServiceLifecycle
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// `sluice serve`: the long-running daemon, assembled from services with one
/// job each and run as a swift-service-lifecycle `ServiceGroup`:
///
/// ``InboxWatcher`` (inotify) → ``Scheduler`` (queues, claims, dispatch;
/// owns the ``WorkerPool`` of `sluice work` children) → ledger;
/// ``ConfigReloader`` (SIGHUP), ``SystemdWatchdog``, ``MetricsWriter``, and
/// ``SignalRouter`` whose end on SIGTERM/SIGINT starts the group's graceful
/// shutdown. Services stop in reverse order: intake first, then the
/// scheduler (running work finishes, at most ``Scheduler/stopGraceSeconds``),
/// then the rest.
public enum Daemon {
    /// How long running workers may take to finish after SIGTERM.
    public static var stopGraceSeconds: Double { Scheduler.stopGraceSeconds }

    /// Runs until SIGTERM or SIGINT has stopped every service.
    public static func run(configPath: String, configuration: SluiceConfiguration, logger: Logger) async throws {
        let signals = try SignalPipe.install([SIGTERM, SIGINT, SIGHUP])
        // A lane worker that died between runs has closed its stdin: writing
        // the next request then fails with EPIPE (and the run goes to a new
        // worker) instead of killing the daemon with SIGPIPE. Children get
        // default signal handling back (see ChildProcess).
        signal(SIGPIPE, SIG_IGN)
        let ledger = try SQLLedger.open(configuration.ledgerLocation)
        let context = DaemonContext(configPath: configPath, ledger: ledger,
                                    logger: logger, notifier: SystemdNotifier(),
                                    executable: FileSystem.symlinkTarget("/proc/self/exe") ?? CommandLine.arguments[0])
        try await PluginCheck.run(configuration.file, context: context)
        try FileSystem.createDirectory(configuration.workDirectory)
        // With a shared ledger, only what this host held or may take over is
        // recovered: other hosts' work folders are theirs while their leases last.
        let shared = ledger.isShared ? SharedInbox(ledger: ledger, host: configuration.host, logger: logger) : nil
        let startup = try shared?.startup(configuration: configuration)
        let requeued = try startup?.requeued ?? Recovery.run(configuration: configuration, ledger: context.ledger, logger: logger)
        // Folders a worker that outlived the last daemon still held: recovered once it lets go.
        let held = try Recovery.stillHeld(configuration: configuration, among: startup?.folders)

        let metrics = MetricsWriter(context: context, configuration: configuration)
        let scheduler = Scheduler(context: context, configuration: configuration, metrics: metrics, shared: shared,
                                  heldFolders: held)
        await scheduler.enqueue(requeued.map { QueuedDrop(pipeline: $0.claim.pipeline, source: .requeue($0), kind: $0.claim.kind) })
        let watcher = try InboxWatcher(context: context, scheduler: scheduler, configuration: configuration)
        await watcher.watch(configuration)
        let (reloads, reloadRequests) = AsyncStream.makeStream(of: Void.self)

        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            .init(service: metrics, serviceName: "metrics writer"),
            .init(service: SystemdWatchdog(context: context, scheduler: scheduler), serviceName: "systemd watchdog"),
            .init(service: ConfigReloader(context: context, scheduler: scheduler, watcher: watcher, requests: reloads),
                  serviceName: "config reloader"),
            .init(service: scheduler, serviceName: "scheduler"),
            .init(service: watcher, serviceName: "inbox watcher"),
            .init(service: SignalRouter(context: context, pipe: signals, reloads: reloadRequests),
                  successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "signal router"),
        ], logger: logger))

        context.notifier.send("READY=1", "STATUS=\(await scheduler.statusText())")
        let count = configuration.pipelines.count
        if ledger.isShared {
            logger.info("host \(configuration.host): shared ledger \(ledger.database.location), leases of \(Int(configuration.leaseSeconds)) s, inboxes rescanned every \(configuration.rescanSeconds.map { "\($0)" } ?? "-") s")
        }
        logger.info("watching \(count) pipeline inbox\(count == 1 ? "" : "es") with \(configuration.workers) worker\(configuration.workers == 1 ? "" : "s"); ready")
        try await group.run()
        logger.info("stopped")
    }
}
