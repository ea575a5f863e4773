/// One feature's drift score, as `drift.json` holds it and the ledger's `drift` table records it.
public struct DriftScore: Codable, Equatable, Sendable {
    public var column: String
    /// "psi" (numeric) or "js" (categorical: Jensen-Shannon distance, base 2).
    public var measure: String
    public var score: Double
    public var threshold: Double
    public var drifted: Bool

    public init(column: String, measure: String, score: Double, threshold: Double, drifted: Bool) {
        self.column = column
        self.measure = measure
        self.score = score
        self.threshold = threshold
        self.drifted = drifted
    }
}
