/// What the metrics file says about scoring, labels and monitoring for one pipeline.
public struct MonitoringCounters: Sendable, Codable, Equatable {
    public var pipeline: String
    public var rowsScored: Int
    public var labelsMatched: Int
    /// The latest realized value of each metric for the model in service.
    public var realized: [String: Double]
    /// The latest scoring drop's drifted share, and its summary JSON.
    public var driftedShare: Double?
    public var latestSummary: String?
    public var monitorActions: [String: Int]
}
