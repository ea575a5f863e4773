#if canImport(Glibc)
import Glibc
#endif

/// Named points where a test can make a worker die on the spot, to prove that
/// recovery leaves the outbox, `current` and the ledger consistent:
/// `SLUICE_TEST_CRASH_AT=<point>` makes the process `_exit(86)` when it
/// reaches that point. Without the variable this does nothing.
enum CrashPoint: String {
    /// The version is reserved in the ledger; no archive written yet.
    case reserved = "publish.reserved"
    /// The archive is in place under its final name; `current` not switched yet.
    case archived = "publish.archived"
    /// `current` points at the new archive; the ledger not yet told.
    case switched = "publish.switched"
    /// A scoring drop's predictions are written; the drop is not filed yet.
    case scored = "scoring.scored"

    func reach() {
        guard let wanted = getenv("SLUICE_TEST_CRASH_AT"), String(cString: wanted) == rawValue else { return }
        _exit(86)
    }
}
