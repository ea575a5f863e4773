/// How a stage ended.
public enum StageStatus: String, Sendable, Codable {
    case running, succeeded, failed, skipped
}
