/// What a scoring run predicted for one row id.
public struct StoredPrediction: Sendable, Equatable {
    public var scoringRunId: Int64
    public var version: Int
    public var scores: [Double]
}
