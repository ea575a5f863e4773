/// How a run ended.
public enum RunStatus: String, Sendable, Codable {
    case running, approved, rejected, failed, interrupted, duplicate
}
