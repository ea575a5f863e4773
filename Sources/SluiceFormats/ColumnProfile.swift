/// One column of a ``Profile``.
public struct ColumnProfile: Codable, Equatable, Sendable {
    public var name: String
    /// "numeric" or "categorical".
    public var type: String
    public var nullRate: Double
    public var min: Double?
    public var max: Double?
    /// Distinct non-missing values (numeric: counted on the sample).
    public var distinct: Int
    /// Numeric: the 9 inner decile cut points of the sample (bins for PSI).
    public var edges: [Double]?
    /// Numeric: share of non-missing sampled values in each of the 10 bins.
    public var binFractions: [Double]?
    /// Categorical: share of non-missing rows per value (the 1000 most frequent).
    public var categories: [String: Double]?
    /// Categorical: whether `categories` lists every value seen.
    public var categoriesComplete: Bool?
    /// Written in the pipeline config (not measured): limits are exact.
    public var explicit: Bool?
    /// Explicit columns: the largest share of missing values allowed.
    public var maxNullFraction: Double?

    public init(name: String, type: String, nullRate: Double, min: Double?, max: Double?, distinct: Int,
                edges: [Double]?, binFractions: [Double]?, categories: [String: Double]?, categoriesComplete: Bool?,
                explicit: Bool? = nil, maxNullFraction: Double? = nil) {
        self.name = name
        self.type = type
        self.nullRate = nullRate
        self.min = min
        self.max = max
        self.distinct = distinct
        self.edges = edges
        self.binFractions = binFractions
        self.categories = categories
        self.categoriesComplete = categoriesComplete
        self.explicit = explicit
        self.maxNullFraction = maxNullFraction
    }
}
