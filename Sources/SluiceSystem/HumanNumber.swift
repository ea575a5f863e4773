import Foundation

/// Numbers written for people: counts as integers with thousands separators
/// (`1,000,000`, not `1e+06`), large values with one decimal, small ones with
/// four significant digits, tiny ones in scientific notation.
public enum HumanNumber {
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        if value == value.rounded(), abs(value) < 1e15 { return grouped(String(Int64(value))) }
        let magnitude = abs(value)
        if magnitude >= 1000 {
            let text = String(format: "%.1f", value)
            let parts = text.split(separator: ".", maxSplits: 1)
            return grouped(String(parts[0])) + "." + (parts.count > 1 ? String(parts[1]) : "0")
        }
        if magnitude < 1e-3 { return String(format: "%.2e", value) }
        return String(format: "%.4g", value)
    }

    static func grouped(_ digits: String) -> String {
        let negative = digits.hasPrefix("-")
        let body = Array(negative ? String(digits.dropFirst()) : digits)
        var out = ""
        for (index, character) in body.enumerated() {
            if index > 0, (body.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (negative ? "-" : "") + out
    }
}
