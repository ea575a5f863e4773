/// What happened to a pipeline in a window of time: drops by outcome, runs by
/// status, the last success, and runs that failed or were interrupted.
public struct WindowCounts: Sendable, Codable, Equatable {
    public var drops: [String: Int]
    public var runs: [String: Int]
    public var lastSuccess: String?
}
