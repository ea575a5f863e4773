import Dispatch
import SluiceKernels
#if canImport(Glibc)
import Glibc
#endif

/// Binary logistic regression with L2, fitted by L-BFGS.
///
/// Objective (scikit-learn's `LogisticRegression(C=C)` objective divided by
/// n, as scikit-learn ≥ 1.1 also scales it internally):
///
///     F(w, b) = (1/n) Σᵢ [log(1 + e^zᵢ) − yᵢ·zᵢ] + ‖w‖² / (2·C·n),  zᵢ = w·xᵢ + b
///
/// with yᵢ ∈ {0, 1}; the intercept b is not penalized. Loss and gradient come
/// from one fused SIMD pass (``LogisticObjective``), multi-threaded with a
/// fixed reduction order: the same data and options give the same bits.
public enum LogisticRegression {
    /// Fitting options.
    public struct Options: Sendable {
        /// Inverse regularization strength (scikit-learn's `C`).
        public var c: Double = 1.0
        public var maxIterations: Int = 200
        /// Stop when ‖∇F‖∞ falls below this.
        public var gradientTolerance: Double = 1e-5
        /// L-BFGS memory.
        public var memory: Int = 10
        /// Threads for the loss/gradient pass (does not change the result).
        public var threads: Int = ProcessInfoCores.count

        public init() {}
    }

    /// Progress callback: iteration, objective, gradient ∞-norm.
    public typealias Progress = (_ iteration: Int, _ objective: Double, _ gradientNorm: Double) -> Void

    /// Why fitting could not start.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Fits on `rows` (features and 0/1 labels).
    /// - Throws: ``Refusal`` when this CPU cannot run the kernels.
    public static func fit(_ rows: BlockedRows, options: Options = Options(),
                           progress: Progress? = nil) throws -> FitResult {
        if let refusal = CPUSupport.refusal() { throw Refusal(description: refusal) }
        let objective = LogisticObjective(rows: rows, c: options.c, threads: options.threads)
        var parameters = [Double](repeating: 0, count: rows.featureCount + 1)
        // Start the intercept at the log-odds of the base rate: fewer iterations.
        let rate = min(max(rows.labelSum / Double(max(rows.rowCount, 1)), 1e-6), 1 - 1e-6)
        parameters[rows.featureCount] = log(rate / (1 - rate))
        let result = LBFGS.minimize(parameters, memory: options.memory, maxIterations: options.maxIterations,
                                    gradientTolerance: options.gradientTolerance,
                                    evaluate: objective.evaluate, progress: progress)
        return FitResult(weights: Array(result.x[0..<rows.featureCount]), intercept: result.x[rows.featureCount],
                         objective: result.value, gradientNorm: result.gradientNorm,
                         iterations: result.iterations, evaluations: result.evaluations, converged: result.converged)
    }

    /// What fitting produced.
    public struct FitResult: Sendable {
        public let weights: [Double]
        public let intercept: Double
        public let objective: Double
        public let gradientNorm: Double
        public let iterations: Int
        /// Loss/gradient passes over the data (iterations plus line-search trials).
        public let evaluations: Int
        public let converged: Bool
    }

    /// Probabilities of the positive class for the given feature columns and rows.
    public static func predict(columns: [UnsafeBufferPointer<Float>], rows: [Int],
                               weights: [Double], intercept: Double) -> [Double] {
        rows.map { row in
            var z = intercept
            for (j, column) in columns.enumerated() {
                let value = column[row]
                z += weights[j] * Double(value.isNaN ? 0 : value)
            }
            return 1 / (1 + exp(-z))
        }
    }
}

/// Online cores, for the default thread count.
public enum ProcessInfoCores {
    public static let count = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
