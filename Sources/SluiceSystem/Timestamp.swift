#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock and monotonic time helpers. The ledger stores UTC ISO-8601 text
/// with milliseconds, which sorts as text and reads well in `sqlite3`.
public enum Timestamp {
    /// Now as `2026-11-22T22:31:05.123Z`.
    public static func now() -> String { iso8601(seconds: unixNow()) }

    /// Seconds since 1970 as a Double.
    public static func unixNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9 + testClockOffset
    }

    /// Seconds added to the wall clock: `SLUICE_TEST_CLOCK_OFFSET` (negative
    /// sets it back), so a test can run a process on a wrong clock without
    /// touching the machine's. 0 without the variable.
    static let testClockOffset: Double = getenv("SLUICE_TEST_CLOCK_OFFSET").flatMap { Double(String(cString: $0)) } ?? 0

    /// Monotonic seconds, for durations.
    public static func monotonic() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// UTC ISO-8601 with milliseconds (truncated).
    public static func iso8601(seconds: Double) -> String {
        iso8601(milliseconds: Int64((seconds * 1000).rounded(.down)))
    }

    /// UTC ISO-8601 of a whole number of milliseconds since 1970, exactly.
    public static func iso8601(milliseconds total: Int64) -> String {
        let (wholeSeconds, remainder) = total.quotientAndRemainder(dividingBy: 1000)
        var whole = time_t(remainder < 0 ? wholeSeconds - 1 : wholeSeconds)
        let millis = remainder < 0 ? remainder + 1000 : remainder
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(pad(Int32(millis), 3))Z"
    }

    /// Compact UTC stamp for file names: `20261122T223105Z`.
    public static func compact(seconds: Double) -> String {
        let full = iso8601(seconds: seconds)
        let digits = full.prefix(19).filter { $0 != "-" && $0 != ":" }
        return digits + "Z"
    }
}
