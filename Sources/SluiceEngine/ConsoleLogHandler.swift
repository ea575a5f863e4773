import Logging
import SluiceData
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Writes log lines to stderr. On a terminal: `HH:MM:SS.mmm level message`.
/// Under systemd (`JOURNAL_STREAM` set) or with `journal: true`: a syslog
/// priority prefix (`<3>` error … `<7>` debug) so the journal keeps levels.
public struct ConsoleLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let journal: Bool

    public init(label: String, level: Logger.Level, journal: Bool? = nil) {
        logLevel = level
        self.journal = journal ?? (getenv("JOURNAL_STREAM") != nil)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // One event, one line: a plugin's message (or a value quoted in it)
        // cannot start a line that looks like another event.
        let message = MessageText.escaped(event.message.description)
        var text: String
        if journal {
            let priority = switch event.level {
            case .critical: 2
            case .error: 3
            case .warning: 4
            case .notice: 5
            case .info: 6
            case .debug, .trace: 7
            }
            text = "<\(priority)>\(message)"
        } else {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            var seconds = now.tv_sec
            var parts = tm()
            localtime_r(&seconds, &parts)
            func pad(_ value: Int32, _ width: Int = 2) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            let level = switch event.level {
            case .critical: "CRIT "
            case .error: "ERROR"
            case .warning: "WARN "
            case .notice: "note "
            case .info: "info "
            case .debug: "debug"
            case .trace: "trace"
            }
            text = "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(now.tv_nsec / 1_000_000), 3)) \(level) \(message)"
        }
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if !merged.isEmpty {
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        text += "\n"
        FileSystem.writeStandardError(text)
    }
}
