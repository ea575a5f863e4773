/// How a linear model is fitted: the penalty (scikit-learn's parameters, see
/// docs/kernels.md for the mapping), the solver and its stopping rules.
public struct TrainingOptions: Sendable {
    /// Classification: inverse L2 strength (scikit-learn's `C`); the intercept is not penalized.
    public var c: Double = 1.0
    /// Regression: penalty strength. With `l1Ratio` 0, scikit-learn `Ridge(alpha)`;
    /// with `l1Ratio` > 0, scikit-learn `ElasticNet(alpha, l1_ratio)`.
    public var alpha: Double = 1.0
    /// Regression: share of L1 in the elastic-net penalty (0 = ridge).
    public var l1Ratio: Double = 0
    public var solver: Solver = .lbfgs
    /// L-BFGS / coordinate descent: most iterations (sweeps).
    public var maxIterations: Int = 200
    /// L-BFGS: stop when ‖∇F‖∞ falls below this. Coordinate descent: when
    /// the largest coefficient change in a sweep falls below it.
    public var gradientTolerance: Double = 1e-5
    /// L-BFGS memory.
    public var memory: Int = 10
    /// Threads for full passes over the data (does not change the result).
    public var threads: Int = ProcessInfoCores.count
    /// Adam / SGD settings.
    public var minibatch = MinibatchOptions()

    public init() {}
}

/// The optimizer. Each one reaches the same optimum (up to its tolerance)
/// except where noted.
public enum Solver: String, Sendable, CaseIterable {
    /// Full-batch limited-memory BFGS (default for classification).
    case lbfgs
    /// Regression with an L2 penalty: the normal equations solved by Cholesky (exact, one pass).
    case cholesky
    /// Regression with an elastic-net penalty: cyclic coordinate descent on the Gram matrix (one pass).
    case cd
    /// Minibatch Adam with a learning-rate schedule (approximate optimum; few passes).
    case adam
    /// Minibatch SGD with momentum and a learning-rate schedule (approximate optimum).
    case sgd
}

/// Minibatch (Adam / SGD) settings.
public struct MinibatchOptions: Sendable {
    /// Rows per minibatch (rounded up to a multiple of 8).
    public var batchSize: Int = 4096
    /// Most passes over the training rows.
    public var maxEpochs: Int = 30
    /// Initial learning rate (step size).
    public var learningRate: Double = 0.01
    public var schedule: LearningRateSchedule = .invscaling
    /// Stop when the epoch's loss (or, with early stopping, the validation
    /// loss) has not improved by `tolerance` for `patience` epochs.
    public var tolerance: Double = 1e-4
    public var patience: Int = 3
    /// Hold out the last `validationFraction` of the minibatches, stop on their
    /// loss and keep the parameters that scored best on them.
    public var earlyStopping: Bool = false
    public var validationFraction: Double = 0.1
    /// Seed for the order of minibatches in each epoch.
    public var seed: UInt64 = 0

    public init() {}
}

/// The learning rate at epoch t (from 0) of T, from η₀.
public enum LearningRateSchedule: String, Sendable, CaseIterable {
    /// η₀.
    case constant
    /// η₀ / √(1 + t).
    case invscaling
    /// η₀ · ½(1 + cos(π t / T)).
    case cosine

    public func rate(_ initial: Double, epoch: Int, of epochs: Int) -> Double {
        switch self {
        case .constant: initial
        case .invscaling: initial / (1 + Double(epoch)).squareRoot()
        case .cosine: initial * 0.5 * (1 + cos(Double.pi * Double(epoch) / Double(max(epochs, 1))))
        }
    }
}

/// Progress callback: iteration (or epoch), objective, gradient ∞-norm.
public typealias TrainingProgress = (_ iteration: Int, _ objective: Double, _ gradientNorm: Double) -> Void

/// What fitting produced: one row of coefficients per output (1 for binary
/// and regression, K for multinomial), one intercept per output.
public struct LinearFit: Sendable {
    public let coefficients: [[Double]]
    public let intercepts: [Double]
    /// The objective at the result (on all training rows).
    public let objective: Double
    public let gradientNorm: Double
    /// Iterations (L-BFGS), sweeps (coordinate descent), epochs (Adam/SGD), 1 (Cholesky).
    public let iterations: Int
    /// Passes over the data (loss/gradient evaluations, line-search trials and epochs included).
    public let evaluations: Int
    public let converged: Bool
    public let solver: Solver

    /// The single output's weights (binary and regression).
    public var weights: [Double] { coefficients[0] }
    public var intercept: Double { intercepts[0] }
}

/// Why fitting could not start or what it cannot do.
public struct TrainingRefusal: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

#if canImport(Glibc)
import Glibc
#endif
