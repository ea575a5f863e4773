/// The `model.json` artifact of sluice before multiclass and regression
/// (format `sluice.model.logistic/1`): still read, no longer written.
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

