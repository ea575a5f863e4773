/// Event severities (a subset of syslog's).
public enum EventLevel: String, Sendable, Codable {
    case error, warning, info, debug
}
