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
        The daemon runs each drop in a `sluice work` process, so a plugin that crashes, hangs \
        or exhausts memory fails only that run. With --serve, one process serves up to \
        --runs runs of one lane, one at a time, and is replaced after any run that did not \
        end cleanly (`worker_runs` in sluice.yaml; docs/architecture.md). Before any plugin \
        loads, the worker applies the pipeline's limits: memory_mb (RLIMIT_AS), open_files \
        (RLIMIT_NOFILE) and cpu_seconds (RLIMIT_CPU; with --serve, counted from each run's start). Progress goes to stdout as tab-separated `progress` lines; logs go \
        to stderr. Exit status 0 means the run was recorded and the drop filed; anything \
        else tells the daemon to record the failure and quarantine the drop.
        """,
        shouldDisplay: false
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The claimed drop's work folder (holds .sluice-claim.json).", valueName: "folder"))
    var workDir: String?

    @Option(help: ArgumentHelp("Serve the runs of one lane sent on stdin instead of one --work-dir (see `LaneWorker`): PIPELINE:train, PIPELINE:score or PIPELINE:labels.",
                               valueName: "lane"))
    var serve: String?

    @Option(help: ArgumentHelp("With --serve: how many runs to serve before exiting.", valueName: "n"))
    var runs: Int = 100

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

    func validate() throws {
        guard (workDir == nil) != (serve == nil) else {
            throw ValidationError("give exactly one of --work-dir (one run) and --serve (a lane's runs from stdin)")
        }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        if let serve { return try serveLane(serve) }
        let workDir = workDir ?? ""
        do {
            try execute(workDirectory: FileSystem.absolute(workDir))
        } catch where SQLLedger.isBusy(error) {
            FileSystem.writeStandardError(Self.busyMessage(workDirectory: FileSystem.absolute(workDir), runKey: runKey ?? "?", error: error))
            throw ExitCode(Self.ledgerBusyStatus)
        }
    }

    /// Takes the work folder's worker lock (waiting up to 30 s for another
    /// worker to let go) and returns its descriptor; closing it lets go.
    static func lockFolder(_ workDirectory: String) throws -> Int32 {
        guard let lock = try FileLock.acquire(workDirectory + "/" + DropClaim.workerLockName, timeout: 30) else {
            throw Failure("work folder \(workDirectory) is held by another worker for 30 s; not running its drop twice")
        }
        return lock
    }

    static func busyMessage(workDirectory: String, runKey: String, error: any Error) -> String {
        "sluice work: \(workDirectory) (run \(runKey)): the ledger stayed locked by another process for more than "
            + "\(SQLLedger.busyTimeoutSeconds) s (\(error)); the daemon runs this drop again later\n"
    }

    func execute(workDirectory: String) throws {
        // The folder's worker lock first, then the lifeline: a worker whose
        // daemon died before this point exits here, and recovery waits for a
        // lock held past it (see Recovery).
        _ = try Self.lockFolder(workDirectory)   // held until the process ends
        if let lifelineFd { try WorkerLifeline.watch(lifelineFd) }
        CrashPoint.workerStarted.reach()
        let configuration = try loadConfiguration()
        let claim = try DropClaim.load(workDirectory: workDirectory)
        guard let pipeline = configuration.pipeline(named: claim.pipeline) else {
            throw Failure("pipeline '\(claim.pipeline)' of \(workDirectory) is not in \(configuration.file)")
        }
        try ResourceLimits.apply(pipeline.limits)
        try PreparedPipeline(configuration: configuration, pipeline: pipeline, logger: options.makeLogger())
            .run(claim, dropId: dropId, runKey: runKey)
    }

    /// `--serve PIPELINE:KIND`: prepare once, then serve that lane's runs.
    private func serveLane(_ lane: String) throws {
        if let lifelineFd { try WorkerLifeline.watch(lifelineFd) }
        let configuration = try loadConfiguration()
        guard let colon = lane.lastIndex(of: ":"), let kind = DropKind(rawValue: String(lane[lane.index(after: colon)...])) else {
            throw ValidationError("--serve expects PIPELINE:KIND with KIND one of train, score, labels; got '\(lane)'")
        }
        let name = String(lane[..<colon])
        guard let pipeline = configuration.pipeline(named: name) else {
            throw Failure("pipeline '\(name)' is not in \(configuration.file)")
        }
        try ResourceLimits.applyLasting(pipeline.limits)
        let prepared = try PreparedPipeline(configuration: configuration, pipeline: pipeline, logger: options.makeLogger())
        try LaneWorker(prepared: prepared, kind: kind, runs: runs).serve()
    }

    /// The daemon's validated copy from --config-fd, else the file.
    private func loadConfiguration() throws -> SluiceConfiguration {
        try configFd.map { fd in
            let bytes = try Syscall.readAll(fd: fd, path: "configuration descriptor \(fd)")
            return try ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), file: FileSystem.absolute(options.config),
                                          sha256: ContentHash.sha256(bytes))
        } ?? options.load()
    }
}
