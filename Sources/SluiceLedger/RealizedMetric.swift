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

    public init(id: Int64, pipeline: String, version: Int, source: String, scoringRunId: Int64?, labelsDropId: Int64?,
                runId: Int64?, name: String, value: Double, rows: Int, at: String) {
        self.id = id
        self.pipeline = pipeline
        self.version = version
        self.source = source
        self.scoringRunId = scoringRunId
        self.labelsDropId = labelsDropId
        self.runId = runId
        self.name = name
        self.value = value
        self.rows = rows
        self.at = at
    }
}
