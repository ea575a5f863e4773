#if canImport(Glibc)
import Glibc
#endif

/// Binary logistic regression with L2, fitted by L-BFGS.
///
/// Objective (the same optimum as scikit-learn's `LogisticRegression(C=C)`,
/// divided by n so that tolerances do not depend on the row count):
///
///     F(w, b) = (1/n) Σᵢ log(1 + exp(−yᵢ·(w·xᵢ + b))) + (1 / (2·C·n)) ‖w‖²
///
/// with yᵢ ∈ {−1, +1}; the intercept b is not penalized. The loss and
/// gradient kernels run over `SIMD16<Float>` vectors of rows; sums go through
/// a fixed order (per-block Float, then Double), so the same data and
/// parameters give the same bits.
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

        public init() {}
    }

    /// Progress callback: iteration, objective, gradient ∞-norm.
    public typealias Progress = (_ iteration: Int, _ objective: Double, _ gradientNorm: Double) -> Void

    /// Fits on `x` (rows already selected) with labels 0/1 in `y` (`x.rowCount` of them).
    public static func fit(_ x: DenseColumns, labels y: [Float], options: Options = Options(),
                           progress: Progress? = nil) -> FitResult {
        precondition(y.count == x.rowCount, "one label per row")
        var paddedLabels = [Float](repeating: 0, count: x.paddedCount)
        for i in 0..<y.count { paddedLabels[i] = y[i] }
        let objective = Objective(x: x, y: paddedLabels, c: options.c)
        var parameters = [Double](repeating: 0, count: x.columnCount + 1)
        // Start the intercept at the log-odds of the base rate: fewer iterations.
        let positives = Double(y.reduce(0, +))
        let rate = min(max(positives / Double(max(y.count, 1)), 1e-6), 1 - 1e-6)
        parameters[x.columnCount] = log(rate / (1 - rate))
        let result = LBFGS.minimize(parameters, memory: options.memory, maxIterations: options.maxIterations,
                                    gradientTolerance: options.gradientTolerance,
                                    evaluate: objective.evaluate, progress: progress)
        return FitResult(weights: Array(result.x[0..<x.columnCount]), intercept: result.x[x.columnCount],
                         objective: result.value, gradientNorm: result.gradientNorm,
                         iterations: result.iterations, converged: result.converged)
    }

    /// What fitting produced.
    public struct FitResult: Sendable {
        public let weights: [Double]
        public let intercept: Double
        public let objective: Double
        public let gradientNorm: Double
        public let iterations: Int
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

/// The logistic loss and its gradient as SIMD kernels over column-major data.
struct Objective {
    typealias Vector = SIMD16<Float>
    let x: DenseColumns
    let y: [Float]
    let c: Double

    /// Objective value and gradient at `parameters` (weights, then intercept).
    func evaluate(_ parameters: [Double]) -> (Double, [Double]) {
        let n = x.paddedCount, d = x.columnCount, count = x.rowCount
        let weights = parameters[0..<d].map { Float($0) }
        let intercept = Float(parameters[d])
        var z = [Float](repeating: intercept, count: n)
        var residual = [Float](repeating: 0, count: n)
        var loss = 0.0
        x.values.withUnsafeBufferPointer { values in
            z.withUnsafeMutableBufferPointer { z in
                // Forward: z = X·w + b, one column at a time, 16 rows per step.
                for j in 0..<d {
                    let w = Vector(repeating: weights[j])
                    let column = values.baseAddress! + j * n
                    var i = 0
                    while i < n {
                        let xs = UnsafeRawPointer(column + i).loadUnaligned(as: Vector.self)
                        let zs = UnsafeRawPointer(z.baseAddress! + i).loadUnaligned(as: Vector.self)
                        UnsafeMutableRawPointer(z.baseAddress! + i).storeBytes(of: zs.addingProduct(xs, w), as: Vector.self)
                        i += Vector.scalarCount
                    }
                }
                // Loss and residual r = σ(z) − y in Double (the objective must be
                // smooth to ~1e-12 for the line search near the optimum), padded rows excluded.
                for i in 0..<count {
                    let zi = Double(z[i]), yi = Double(y[i])
                    // log(1 + e^z) − y·z, computed stably.
                    let softplus = zi > 0 ? zi + log1p(exp(-zi)) : log1p(exp(zi))
                    loss += softplus - yi * zi
                    residual[i] = Float(1 / (1 + exp(-zi)) - yi)
                }
            }
        }
        // Backward: g_j = Σ x_ij·r_i, SIMD dot products in fixed order.
        var gradient = [Double](repeating: 0, count: d + 1)
        x.values.withUnsafeBufferPointer { values in
            residual.withUnsafeBufferPointer { r in
                for j in 0..<d {
                    let column = values.baseAddress! + j * n
                    var total = 0.0
                    var i = 0
                    while i < n {
                        var accumulator = Vector()
                        let end = min(i + 4096, n)
                        while i < end {
                            let xs = UnsafeRawPointer(column + i).loadUnaligned(as: Vector.self)
                            let rs = UnsafeRawPointer(r.baseAddress! + i).loadUnaligned(as: Vector.self)
                            accumulator = accumulator.addingProduct(xs, rs)
                            i += Vector.scalarCount
                        }
                        total += Double(accumulator.sum())
                    }
                    gradient[j] = total
                }
                var total = 0.0
                for i in 0..<count { total += Double(r[i]) }
                gradient[d] = total
            }
        }
        let scale = 1.0 / Double(max(count, 1))
        let penalty = 1.0 / (c * Double(max(count, 1)))
        var value = loss * scale
        for j in 0..<d {
            value += 0.5 * penalty * parameters[j] * parameters[j]
            gradient[j] = gradient[j] * scale + penalty * parameters[j]
        }
        gradient[d] *= scale
        return (value, gradient)
    }
}
