/// Data inside a message (an error, a log line, a table cell): line breaks,
/// tabs and other control characters escaped (`\n`, `\t`, `\u{1b}`), so a
/// quoted value with a newline cannot break the message onto a second line.
/// (Plugins have the same rule in the SDK's `quotedValue`: host and plugins
/// share only the C ABI.)
public enum MessageText {
    public static func escaped(_ text: some StringProtocol) -> String {
        var shown = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                shown += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }
}
