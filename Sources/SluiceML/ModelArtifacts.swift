/// The `model.json` artifact written by the train stage (format
/// `sluice.model.logistic/1`, documented in docs/artifacts.md).
public struct LogisticModel: Codable, Sendable, Equatable {
    public static let format = "sluice.model.logistic/1"
    public var format: String = LogisticModel.format
    public var task: String
    public var target: String
    /// Class labels; `classes[1]` is the positive class.
    public var classes: [String]
    /// Feature columns in the order of `weights`.
    public var features: [String]
    public var weights: [Double]
    public var intercept: Double
    public var c: Double
    public var iterations: Int
    public var converged: Bool
    public var objective: Double
    public var gradientNorm: Double
    public var trainingRows: Int
    public var seed: UInt64

    public init(task: String, target: String, classes: [String], features: [String], weights: [Double],
                intercept: Double, c: Double, iterations: Int, converged: Bool, objective: Double,
                gradientNorm: Double, trainingRows: Int, seed: UInt64) {
        self.task = task
        self.target = target
        self.classes = classes
        self.features = features
        self.weights = weights
        self.intercept = intercept
        self.c = c
        self.iterations = iterations
        self.converged = converged
        self.objective = objective
        self.gradientNorm = gradientNorm
        self.trainingRows = trainingRows
        self.seed = seed
    }
}

/// The `transform.json` artifact written by the features stage (format
/// `sluice.transform/1`): how raw columns become model features.
public struct FeatureTransform: Codable, Sendable, Equatable {
    public static let format = "sluice.transform/1"

    /// A numeric column: missing → `fill`, then `(x − mean) / scale`.
    public struct Numeric: Codable, Sendable, Equatable {
        public var column: String
        public var fill: Double
        public var mean: Double
        public var scale: Double
        public init(column: String, fill: Double, mean: Double, scale: Double) {
            self.column = column
            self.fill = fill
            self.mean = mean
            self.scale = scale
        }
    }

    /// A categorical column: one 0/1 feature `column=value` per category;
    /// unseen or missing values give all zeros.
    public struct OneHot: Codable, Sendable, Equatable {
        public var column: String
        public var categories: [String]
        public init(column: String, categories: [String]) {
            self.column = column
            self.categories = categories
        }
        /// Feature name for a category.
        public func feature(_ category: String) -> String { "\(column)=\(category)" }
    }

    public var format: String = FeatureTransform.format
    public var target: String
    public var numeric: [Numeric]
    public var oneHot: [OneHot]

    public init(target: String, numeric: [Numeric], oneHot: [OneHot]) {
        self.target = target
        self.numeric = numeric
        self.oneHot = oneHot
    }

    /// Output feature names in order.
    public var features: [String] {
        numeric.map(\.column) + oneHot.flatMap { encoding in encoding.categories.map { encoding.feature($0) } }
    }
}
