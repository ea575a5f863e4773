import Foundation
import SluiceSystem

/// A point in time given on the command line, as the ledger writes times
/// (UTC ISO-8601 with milliseconds). Accepts `2026-12-01T14:00:00Z`, with
/// fractional seconds or an offset (`+01:00`), `2026-12-01T14:00` and
/// `2026-12-01 14:00` (UTC), and `2026-12-01` (UTC midnight).
enum TimeArgument {
    static func parse(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        let formatter = ISO8601DateFormatter()
        let attempts: [(ISO8601DateFormatter.Options, String)] = [
            ([.withInternetDateTime, .withFractionalSeconds], ""), ([.withInternetDateTime], ""),
            ([.withInternetDateTime], ":00Z"), ([.withInternetDateTime], "Z"), ([.withFullDate], ""),
        ]
        for (options, suffix) in attempts {
            formatter.formatOptions = options
            formatter.timeZone = TimeZone(identifier: "UTC")
            if let date = formatter.date(from: trimmed + suffix) {
                return Timestamp.iso8601(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()))
            }
        }
        throw Failure("'\(text)' is not a time sluice understands; write it like 2026-12-01T14:00:00Z, "
                      + "2026-12-01T15:00:00+01:00, 2026-12-01 14:00 (UTC) or 2026-12-01")
    }
}
