import SluiceKernels
#if canImport(Glibc)
import Glibc
#endif

/// Multinomial (softmax) logistic regression with L2 — scikit-learn's
/// `LogisticRegression(C=C)` on K ≥ 3 classes (its default, multinomial):
///
///     F(W, b) = (1/W) Σᵢ sᵢ [log Σₖ e^{zᵢₖ} − zᵢ,yᵢ] + ‖W‖²_F / (2·C·W),  zᵢₖ = Wₖ·xᵢ + bₖ
///
/// Labels are class indices 0…K−1. The intercepts are not penalized, so they
/// are fixed only up to a common shift; like scikit-learn's, the returned
/// ones sum to zero.
public enum SoftmaxRegression {
    public static func fit(_ rows: BlockedRows, classCount: Int, options: TrainingOptions = TrainingOptions(),
                           progress: TrainingProgress? = nil) throws -> LinearFit {
        if let refusal = CPUSupport.refusal() { throw TrainingRefusal(refusal) }
        guard classCount >= 2 else { throw TrainingRefusal("multinomial regression needs at least 2 classes, got \(classCount)") }
        let objective = SoftmaxObjective(rows: rows, classCount: classCount, c: options.c, threads: options.threads)
        let d = rows.featureCount
        var start = [Double](repeating: 0, count: objective.parameterCount)
        // Intercepts start at the centered log class shares: fewer iterations.
        var shares = [Double](repeating: 0, count: classCount)
        for block in 0..<rows.blockCount {
            for lane in 0..<8 where rows.mask[block][lane] != 0 {
                shares[Int(rows.labels[block][lane])] += Double(rows.mask[block][lane])
            }
        }
        let logs = shares.map { log(max($0, 1) / max(rows.weightSum, 1)) }
        let mean = logs.reduce(0, +) / Double(classCount)
        for k in 0..<classCount { start[classCount * d + k] = logs[k] - mean }
        let fit = try LinearSolvers.minimize(objective, start: start, outputs: classCount, options: options,
                                             progress: progress)
        let center = fit.intercepts.reduce(0, +) / Double(classCount)
        return LinearFit(coefficients: fit.coefficients, intercepts: fit.intercepts.map { $0 - center },
                         objective: fit.objective, gradientNorm: fit.gradientNorm, iterations: fit.iterations,
                         evaluations: fit.evaluations, converged: fit.converged, solver: fit.solver)
    }
}
