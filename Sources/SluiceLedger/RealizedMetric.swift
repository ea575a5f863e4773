/// One measurement of how the model in service did once the truth was known.
public struct RealizedMetric: Sendable, Codable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var version: Int
    /// `labels` (a labels drop joined to scored rows) or `training` (a training drop's holdout).
    public var source: String
    public var scoringRunId: Int64?
    public var labelsDropId: Int64?
    public var runId: Int64?
    public var name: String
    public var value: Double
    public var rows: Int
    public var at: String
}
