/// Totals for one pipeline, for monitoring.
public struct PipelineCounters: Sendable {
    public var pipeline: String
    /// Drops by outcome (`claimed`, `archived`, `quarantined`).
    public var drops: [String: Int] = [:]
    /// Runs by status.
    public var runs: [String: Int] = [:]
    /// Stage → (count, total seconds).
    public var stageSeconds: [String: (Int, Double)] = [:]
    public var currentVersion: Int?
    /// When the last approved run ended (ISO-8601).
    public var lastSuccess: String?

    public init(pipeline: String) { self.pipeline = pipeline }
}
