#if canImport(Glibc)
import Glibc
#endif

/// Named points where a test can make sluice die on the spot, to prove that
/// recovery leaves every drop in exactly one place with its ledger row, and
/// the outbox, `current` and the ledger consistent (docs/reliability.md).
/// `SLUICE_TEST_CRASH_AT=<point>` makes the process `_exit(86)` when it
/// reaches that point — without cleanup, as SIGKILL would. With
/// `SLUICE_TEST_CRASH_DAEMON=1`, a worker reaching the point first SIGKILLs
/// the daemon that started it: the whole service dies there, as in a power
/// cut. Without the variables this does nothing.
public enum CrashPoint: String, CaseIterable, Sendable {
    // The daemon (or serve --once) claiming a drop.
    /// The claim record is in the work folder; the drop is still in the inbox.
    case claimRecorded = "claim.recorded"
    /// The drop is in the work folder; nothing is in the ledger yet.
    case claimMoved = "claim.moved"
    // A run (in a worker, or in serve --once).
    /// The worker holds its work folder; it has not opened the ledger.
    case workerStarted = "worker.started"
    /// The drop is read and its run is in the ledger; no stage has run.
    case ingested = "run.ingested"
    /// The first stage has finished; the others have not run.
    case firstStage = "stage.first"
    /// The version is reserved in the ledger; no archive written yet.
    case reserved = "publish.reserved"
    /// An archive's temp file is complete; it is not in place yet.
    case archiveTemp = "archive.temp"
    /// The archive is in place under its final name; `current` not switched yet.
    case archived = "publish.archived"
    /// `current` points at the new archive; the ledger not yet told.
    case switched = "publish.switched"
    /// The drop is renamed into archive/ or quarantine/; its work folder not removed yet.
    case renamedDrop = "dispose.renamed"
    /// The drop is in archive/ or quarantine/; its ledger row still says claimed.
    case disposed = "dispose.moved"
    /// The drop's row is final; its run's is not.
    case dropFiled = "dispose.filed"
    /// A scoring drop's predictions are written; the drop is not filed yet.
    case scored = "scoring.scored"

    /// Dies here if a test asked for this point.
    public func reach() {
        guard let wanted = getenv("SLUICE_TEST_CRASH_AT"), String(cString: wanted) == rawValue else { return }
        if let whole = getenv("SLUICE_TEST_CRASH_DAEMON"), String(cString: whole) == "1", Self.parentIsDaemon() {
            kill(getppid(), SIGKILL)
        }
        _exit(86)
    }

    /// Whether this process's parent is `sluice serve` (so this is a worker).
    static func parentIsDaemon() -> Bool {
        FileSystem.isSluice(getppid(), running: "serve") && FileSystem.commandLine(of: getppid())?.contains("--once") == false
    }
}
