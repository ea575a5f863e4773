import ArgumentParser
import Foundation
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluicePluginHost
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

struct Work: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one claimed drop through its pipeline (started by `sluice serve`).",
        discussion: """
        The daemon starts one `sluice work` process per run, so a plugin that crashes, hangs \
        or exhausts memory fails only that run. Before any plugin loads, the worker applies \
        the pipeline's limits: memory_mb (RLIMIT_AS), cpu_seconds (RLIMIT_CPU), open_files \
        (RLIMIT_NOFILE). Progress goes to stdout as tab-separated `progress` lines; logs go \
        to stderr. Exit status 0 means the run was recorded and the drop filed; anything \
        else tells the daemon to record the failure and quarantine the drop.
        """,
        shouldDisplay: false
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The claimed drop's work folder (holds .sluice-claim.json).", valueName: "folder"))
    var workDir: String

    @Option(help: ArgumentHelp("Key of this run (defaults to the claim's).", valueName: "key"))
    var runKey: String?

    @Option(help: ArgumentHelp("The drop's ledger row, for a retry.", valueName: "id"))
    var dropId: Int64?

    @Option(help: ArgumentHelp("A pipe's read end the daemon holds open: end of file means the daemon is gone, and the worker exits.",
                               valueName: "fd"))
    var lifelineFd: Int32?

    @Option(help: ArgumentHelp("Read the configuration's text from this descriptor (the daemon's validated copy); --config still names the file, for relative paths.",
                               valueName: "fd"))
    var configFd: Int32?

    /// Exit status of a run the ledger was too busy to record: the daemon
    /// retries the drop later rather than quarantine it (EX_TEMPFAIL).
    static let ledgerBusyStatus: Int32 = 75

    func run() throws {
        do {
            try execute()
        } catch where SQLLedger.isBusy(error) {
            FileSystem.writeStandardError("sluice work: \(FileSystem.absolute(workDir)) (run \(runKey ?? "?")): the ledger stayed "
                + "locked by another process for more than \(SQLLedger.busyTimeoutSeconds) s (\(error)); "
                + "the daemon runs this drop again later\n")
            throw ExitCode(Self.ledgerBusyStatus)
        }
    }

    func execute() throws {
        let logger = options.makeLogger()
        let workDirectory = FileSystem.absolute(workDir)
        // The folder's worker lock first, then the lifeline: a worker whose
        // daemon died before this point exits here, and recovery waits for a
        // lock held past it (see Recovery).
        guard let lock = try FileLock.acquire(workDirectory + "/" + DropClaim.workerLockName, timeout: 30) else {
            throw Failure("work folder \(workDirectory) is held by another worker for 30 s; not running its drop twice")
        }
        _ = lock   // held until the process ends
        if let lifelineFd { try WorkerLifeline.watch(lifelineFd) }
        CrashPoint.workerStarted.reach()
        let configuration = try configFd.map { fd in
            let bytes = try Syscall.readAll(fd: fd, path: "configuration descriptor \(fd)")
            return try ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), file: FileSystem.absolute(options.config),
                                          sha256: ContentHash.sha256(bytes))
        } ?? options.load()
        let claim = try DropClaim.load(workDirectory: workDirectory)
        guard let pipeline = configuration.pipeline(named: claim.pipeline) else {
            throw Failure("pipeline '\(claim.pipeline)' of \(workDir) is not in \(configuration.file)")
        }
        try ResourceLimits.apply(pipeline.limits)
        // Only this pipeline's plugins: another pipeline's broken plugin is not this run's concern.
        let catalog = try StageCatalog(configuration: configuration, loader: PluginLoader(), only: pipeline.name)
        let ledger = try SQLLedger.open(configuration.ledgerLocation)
        let executor = RunExecutor(configuration: configuration, ledger: ledger, catalog: catalog, logger: logger)
        executor.onProgress = { stage, fraction, text in
            let clean = text.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
            FileSystem.writeStandardOutput("progress\t\(stage)\t\(fraction)\t\(clean)\n")
        }
        switch claim.kind {
        case .train: _ = try executor.execute(claim, pipeline: pipeline, dropId: dropId, runKey: runKey)
        case .score: _ = try ScoringRun(configuration: configuration, ledger: ledger, logger: logger)
            .execute(claim, pipeline: pipeline, runKey: runKey)
        case .labels: _ = try LabelsRun(configuration: configuration, ledger: ledger, logger: logger)
            .execute(claim, pipeline: pipeline)
        }
    }
}
