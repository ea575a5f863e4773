/// A value written into a CSV file sluice produces: quoted (RFC 4180) when it
/// holds a comma, a quote or a line break.
public enum CSVText {
    public static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
