import ArgumentParser
import SluiceConfig
import SluiceDaemon
import SluiceEngine
import SluiceLedger
import SluicePluginHost
import SluiceSystem

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch every pipeline's inbox and process each drop (or, with --once, what waits now).",
        discussion: """
        Without --once, sluice runs as a daemon: it watches each inbox with inotify (a file is \
        taken when its writer closes it or when it is renamed in; a file that is never closed \
        is taken once its size has been stable for settle_seconds), runs each drop in a \
        `sluice work` child process with the pipeline's time and resource limits, and keeps \
        going whatever a plugin does. A worker serves up to worker_runs drops of one lane \
        (default 100; 1 = a process per drop) and is replaced after any run that did not end \
        cleanly, when it grew, or when the configuration or a plugin file changed; while it \
        runs a drop, the lane's next drop is claimed and handed to it ahead. SIGHUP re-reads the configuration (a broken one is \
        refused and the old one kept); SIGTERM or SIGINT stops it: intake stops at once, running work may finish for up to 20 s \
        (then it is killed and re-run at the next start). Under \
        systemd (Type=notify) it reports READY, STATUS and watchdog keep-alives. At start it \
        recovers what a previous run left: interrupted runs are re-run (up to max_attempts), \
        claimed drops without a run are queued, incomplete archives are removed.

        With --once, sluice claims every file waiting in each pipeline's inbox (by renaming \
        it into work/<run>/), runs the pipeline's stages on it, publishes approved models to \
        the outbox, moves the drop to archive/ (or quarantine/ with a .reason file), and exits. \
        Files whose names start with '.' or end in .tmp or .part are left alone: write to such \
        a name, then rename, and sluice never reads half a file.

        Before claiming anything, every stage's plugin is loaded and checked; a missing or \
        incompatible plugin stops sluice with an error naming the pipeline, stage and config line. \
        The daemon does this check in a `sluice check` child (at start and on every SIGHUP), so \
        no plugin code ever runs inside the long-lived process; with --once it is done in-process.

        Exit status: 0 when every drop was processed (approved, rejected or quarantined are all \
        normal outcomes), 1 when sluice itself could not work (bad config, missing plugin, \
        unwritable state folder).
        """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Process what is waiting now in this process, then exit (no inotify, no worker processes).")
    var once = false

    @Option(help: ArgumentHelp("Only this pipeline.", valueName: "name"))
    var pipeline: String?

    func run() async throws {
        let logger = options.makeLogger()
        let configuration = try options.load()
        if !once {
            if pipeline != nil { throw ValidationError("--pipeline works only with --once") }
            do {
                try await Daemon.run(configPath: FileSystem.absolute(options.config), configuration: configuration,
                                     logger: logger)
                return
            } catch {
                logger.critical("\(error)")
                throw ExitCode.failure
            }
        }
        if let pipeline, configuration.pipeline(named: pipeline) == nil {
            throw ValidationError("no pipeline named '\(pipeline)' in \(configuration.file); it has: "
                                  + configuration.pipelines.map(\.name).joined(separator: ", "))
        }
        do {
            try OneShotServe.prepareFolders(configuration)
            let catalog = try StageCatalog(configuration: configuration, loader: PluginLoader(cachingHashesIn: configuration.stateDirectory))
            let ledger = try SQLLedger.open(configuration.ledgerLocation)
            let serve = OneShotServe(configuration: configuration, ledger: ledger, catalog: catalog, logger: logger)
            let summary = try serve.run(only: pipeline)
            let count = summary.outcomes.count
            logger.info("done: \(count) drop\(count == 1 ? "" : "s") — \(summary.approved) approved, \(summary.rejected) rejected, \(summary.quarantined) quarantined")
        } catch {
            logger.error("\(error)")
            throw ExitCode.failure
        }
    }
}
