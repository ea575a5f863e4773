/// An action a `monitor:` policy took.
public struct MonitorAction: Sendable, Codable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var action: String
    public var version: Int
    public var metric: String
    /// The last breaching realized measurement (nil for a drift action).
    public var measurementId: Int64?
    /// The drifted scoring run (drift actions).
    public var scoringRunId: Int64?
    public var measured: String
    public var reason: String
    public var outcome: String
    public var consumedRunId: Int64?
    public var at: String
}
