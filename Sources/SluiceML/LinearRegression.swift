import SluiceKernels
#if canImport(Glibc)
import Glibc
#endif

/// Linear regression with an L2 (ridge) or elastic-net penalty.
///
/// - Ridge (`l1Ratio` 0): scikit-learn's `Ridge(alpha)`, minimizing
///   Σᵢ sᵢ(yᵢ − w·xᵢ − b)² + α‖w‖² (b not penalized). Solvers: `cholesky`
///   (default: one pass builds the Gram matrix of the centered data, then the
///   normal equations (XᵀX + αI)w = Xᵀy are solved by Cholesky — exact),
///   `lbfgs`, `adam`, `sgd` (on the same objective divided by 2W).
/// - Elastic net (`l1Ratio` > 0): scikit-learn's `ElasticNet(alpha, l1_ratio)`,
///   minimizing (1/2W) Σᵢ sᵢ rᵢ² + α·ρ‖w‖₁ + ½α(1 − ρ)‖w‖². Solver `cd`:
///   cyclic coordinate descent with soft-thresholding on the same one-pass
///   Gram matrix (scikit-learn's "precompute" path).
///
/// The reported `objective` is, for ridge, the ridge objective divided by 2W
/// (so it matches ``SquaredObjective``), for the elastic net its own objective.
public enum LinearRegression {
    public static func fit(_ rows: BlockedRows, options: TrainingOptions = TrainingOptions(),
                           progress: TrainingProgress? = nil) throws -> LinearFit {
        if let refusal = CPUSupport.refusal() { throw TrainingRefusal(refusal) }
        guard options.alpha >= 0 else { throw TrainingRefusal("alpha must be ≥ 0, got \(options.alpha)") }
        guard (0...1).contains(options.l1Ratio) else { throw TrainingRefusal("l1_ratio must be in [0, 1], got \(options.l1Ratio)") }
        if options.l1Ratio > 0 {
            guard options.solver == .cd else {
                throw TrainingRefusal("an elastic-net penalty (l1_ratio \(options.l1Ratio)) is fitted by solver cd, not \(options.solver.rawValue)")
            }
            return try coordinateDescent(rows, options: options, progress: progress)
        }
        switch options.solver {
        case .cholesky, .cd:
            return try closedForm(rows, options: options, progress: progress)
        case .lbfgs, .adam, .sgd:
            let objective = SquaredObjective(rows: rows, alpha: options.alpha, threads: options.threads)
            var start = [Double](repeating: 0, count: rows.featureCount + 1)
            start[rows.featureCount] = rows.labelSum / Double(max(rows.rowCount, 1))
            return try LinearSolvers.minimize(objective, start: start, outputs: 1, options: options, progress: progress)
        }
    }

    /// The centered normal equations from one Gram pass.
    struct Centered {
        let d: Int
        /// Xcᵀ S Xc, d × d.
        var gram: [Double]
        /// Xcᵀ S yc.
        var xy: [Double]
        /// yᵀ S y centered.
        var yy: Double
        let weight: Double
        /// Weighted means of the (unshifted) features and of y.
        let meanX: [Double]
        let meanY: Double

        init(_ g: GramPass.Result) {
            d = g.featureCount
            let w = g.weightSum
            weight = w
            let one = d, y = d + 1
            // Means of the shifted features.
            let mean = (0..<d).map { g.at($0, one) / w }
            let my = g.at(y, one) / w
            gram = [Double](repeating: 0, count: d * d)
            for i in 0..<d { for j in 0..<d { gram[i * d + j] = g.at(i, j) - w * mean[i] * mean[j] } }
            xy = (0..<d).map { g.at($0, y) - w * mean[$0] * my }
            yy = g.at(y, y) - w * my * my
            meanX = (0..<d).map { mean[$0] + g.shift[$0] }
            meanY = my
        }

        /// ½‖rc‖² for weights w: ½(ycᵀyc − 2wᵀXcᵀyc + wᵀXcᵀXc w).
        func halfResidual(_ w: [Double]) -> Double {
            var quadratic = 0.0
            for i in 0..<d {
                var row = 0.0
                for j in 0..<d { row += gram[i * d + j] * w[j] }
                quadratic += w[i] * row
            }
            let linear = zip(w, xy).reduce(0) { $0 + $1.0 * $1.1 }
            return 0.5 * max(yy - 2 * linear + quadratic, 0)
        }

        func intercept(_ w: [Double]) -> Double { meanY - zip(meanX, w).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    static func closedForm(_ rows: BlockedRows, options: TrainingOptions, progress: TrainingProgress?) throws -> LinearFit {
        let centered = Centered(GramPass.run(rows, threads: options.threads))
        let d = centered.d
        var system = centered.gram
        for i in 0..<d { system[i * d + i] += options.alpha }
        guard let w = Cholesky.solve(system, centered.xy, size: d) else {
            throw TrainingRefusal("the normal equations are singular (alpha \(options.alpha)): "
                                  + "a constant or duplicated feature with alpha 0; set alpha > 0")
        }
        let penalty = 0.5 * options.alpha * w.reduce(0) { $0 + $1 * $1 }
        let objective = (centered.halfResidual(w) + penalty) / centered.weight
        // Gradient of the (scaled) objective at the solution, as a check: ~0 up to rounding.
        var norm = 0.0
        for i in 0..<d {
            var g = -centered.xy[i] + options.alpha * w[i]
            for j in 0..<d { g += centered.gram[i * d + j] * w[j] }
            norm = max(norm, abs(g / centered.weight))
        }
        progress?(1, objective, norm)
        return LinearFit(coefficients: [w], intercepts: [centered.intercept(w)], objective: objective,
                         gradientNorm: norm, iterations: 1, evaluations: 1, converged: true, solver: .cholesky)
    }

    static func coordinateDescent(_ rows: BlockedRows, options: TrainingOptions,
                                  progress: TrainingProgress?) throws -> LinearFit {
        let centered = Centered(GramPass.run(rows, threads: options.threads))
        let d = centered.d, n = centered.weight
        let l1 = options.alpha * options.l1Ratio * n, l2 = options.alpha * (1 - options.l1Ratio) * n
        var w = [Double](repeating: 0, count: d)
        var h = [Double](repeating: 0, count: d)      // Gram · w
        var sweeps = 0, converged = false
        while sweeps < max(options.maxIterations, 1) {
            sweeps += 1
            var largest = 0.0, largestW = 0.0
            for j in 0..<d {
                let diagonal = centered.gram[j * d + j]
                guard diagonal > 0 else { continue }
                let old = w[j]
                let rho = centered.xy[j] - h[j] + diagonal * old
                let new = (rho > l1 ? rho - l1 : (rho < -l1 ? rho + l1 : 0)) / (diagonal + l2)
                if new != old {
                    let delta = new - old
                    for i in 0..<d { h[i] += centered.gram[i * d + j] * delta }
                    w[j] = new
                    largest = max(largest, abs(delta))
                }
                largestW = max(largestW, abs(new))
            }
            if largest <= options.gradientTolerance * max(largestW, 1e-12) { converged = true; break }
        }
        let objective = centered.halfResidual(w) / n
            + options.alpha * options.l1Ratio * w.reduce(0) { $0 + abs($1) }
            + 0.5 * options.alpha * (1 - options.l1Ratio) * w.reduce(0) { $0 + $1 * $1 }
        progress?(sweeps, objective, .nan)
        return LinearFit(coefficients: [w], intercepts: [centered.intercept(w)], objective: objective,
                         gradientNorm: .nan, iterations: sweeps, evaluations: 1, converged: converged, solver: .cd)
    }
}

/// Cholesky factorization and solve for small symmetric positive definite systems (Double).
enum Cholesky {
    /// Solves A x = b; nil when A is not positive definite.
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        // A pivot this small against the largest diagonal entry means a (numerically) singular matrix.
        let floor = 1e-12 * (0..<n).reduce(0.0) { max($0, abs(a[$1 * n + $1])) }
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > floor, sum > 0 else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = b
        for i in 0..<n {
            for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
            y[i] /= l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for k in (i + 1)..<n { y[i] -= l[k * n + i] * y[k] }
            y[i] /= l[i * n + i]
        }
        return y
    }
}
