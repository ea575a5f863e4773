import SluiceKernels

/// The smooth-objective solvers shared by the logistic, softmax and squared
/// objectives: L-BFGS, Adam, SGD.
enum LinearSolvers {
    static func minimize(_ objective: some BlockObjective, start: [Double], outputs: Int, options: TrainingOptions,
                         progress: TrainingProgress?) throws -> LinearFit {
        let d = objective.rows.featureCount
        func split(_ x: [Double]) -> ([[Double]], [Double]) {
            ((0..<outputs).map { Array(x[($0 * d)..<(($0 + 1) * d)]) }, Array(x[(outputs * d)...]))
        }
        switch options.solver {
        case .lbfgs:
            // L-BFGS runs on standardized coordinates (a change of variables,
            // not of the objective or its optimum): unscaled features would
            // otherwise make the problem ill-conditioned enough that Float32
            // rounding in the loss stops the line search short of the optimum.
            let scaling = FeatureScaling(objective.rows, outputs: outputs)
            let result = LBFGS.minimize(scaling.scaled(start), memory: options.memory, maxIterations: options.maxIterations,
                                        gradientTolerance: options.gradientTolerance,
                                        evaluate: { scaled in
                                            let (value, gradient) = objective.evaluate(scaling.original(scaled))
                                            return (value, scaling.scaledGradient(gradient))
                                        }, progress: progress)
            let (coefficients, intercepts) = split(scaling.original(result.x))
            return LinearFit(coefficients: coefficients, intercepts: intercepts, objective: result.value,
                             gradientNorm: result.gradientNorm, iterations: result.iterations,
                             evaluations: result.evaluations, converged: result.converged, solver: .lbfgs)
        case .adam, .sgd:
            let result = MinibatchSolver.minimize(objective, start: start, options: options.minibatch,
                                                  adam: options.solver == .adam, threads: options.threads,
                                                  progress: progress)
            let (coefficients, intercepts) = split(result.x)
            return LinearFit(coefficients: coefficients, intercepts: intercepts, objective: result.value,
                             gradientNorm: result.gradientNorm, iterations: result.epochs,
                             evaluations: result.passes, converged: result.converged, solver: options.solver)
        case .cholesky, .cd:
            throw TrainingRefusal("solver \(options.solver.rawValue) fits regression only; "
                                  + "classification uses lbfgs, adam or sgd")
        }
    }
}

/// The change of variables θ = A·θ′ that standardizes each feature for the
/// solver: wₒⱼ = w′ₒⱼ / sⱼ and bₒ = b′ₒ − Σⱼ w′ₒⱼ·μⱼ / sⱼ, with μ, s the
/// weighted mean and standard deviation of feature j on a sample of the rows
/// (s = 1 for a constant one). Any positive scale gives the same optimum.
struct FeatureScaling {
    let mean: [Double]
    let scale: [Double]
    let outputs: Int

    init(_ rows: BlockedRows, outputs: Int) {
        let d = rows.featureCount
        var sum = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        var weight = 0.0
        // A sample (the first 32,768 rows) is enough for a preconditioner, and keeps this off the profile.
        for block in 0..<min(rows.blockCount, 4096) {
            let m = rows.mask[block]
            for lane in 0..<8 where m[lane] != 0 {
                let w = Double(m[lane])
                weight += w
                for j in 0..<d {
                    let x = Double(rows.values[block * d + j][lane])
                    sum[j] += w * x
                    squares[j] += w * x * x
                }
            }
        }
        let total = max(weight, .leastNormalMagnitude)
        mean = sum.map { $0 / total }
        scale = (0..<d).map { j in
            let variance = squares[j] / total - (sum[j] / total) * (sum[j] / total)
            return variance > 1e-12 ? variance.squareRoot() : 1
        }
        self.outputs = outputs
    }

    var d: Int { mean.count }

    func original(_ scaled: [Double]) -> [Double] {
        var x = scaled
        for o in 0..<outputs {
            var shift = 0.0
            for j in 0..<d {
                x[o * d + j] = scaled[o * d + j] / scale[j]
                shift += x[o * d + j] * mean[j]
            }
            x[outputs * d + o] = scaled[outputs * d + o] - shift
        }
        return x
    }

    func scaled(_ original: [Double]) -> [Double] {
        var x = original
        for o in 0..<outputs {
            var shift = 0.0
            for j in 0..<d {
                x[o * d + j] = original[o * d + j] * scale[j]
                shift += original[o * d + j] * mean[j]
            }
            x[outputs * d + o] = original[outputs * d + o] + shift
        }
        return x
    }

    /// ∇θ′F = Aᵀ∇θF.
    func scaledGradient(_ gradient: [Double]) -> [Double] {
        var g = gradient
        for o in 0..<outputs {
            let interceptGradient = gradient[outputs * d + o]
            for j in 0..<d { g[o * d + j] = (gradient[o * d + j] - interceptGradient * mean[j]) / scale[j] }
        }
        return g
    }
}
