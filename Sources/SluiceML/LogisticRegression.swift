import Dispatch
import SluiceKernels
#if canImport(Glibc)
import Glibc
#endif

/// Binary logistic regression with L2, fitted by L-BFGS (default) or
/// minibatch Adam/SGD.
///
/// Objective (scikit-learn's `LogisticRegression(C=C)` objective divided by
/// the weight sum W, as scikit-learn ≥ 1.1 also scales it internally):
///
///     F(w, b) = (1/W) Σᵢ sᵢ [log(1 + e^zᵢ) − yᵢ·zᵢ] + ‖w‖² / (2·C·W),  zᵢ = w·xᵢ + b
///
/// with yᵢ ∈ {0, 1} and row weights sᵢ (class weights; 1 when none); the
/// intercept b is not penalized. Loss and gradient come from one fused SIMD
/// pass (``LogisticObjective``), multi-threaded with a fixed reduction order:
/// the same data and options give the same bits.
public enum LogisticRegression {
    public typealias Options = TrainingOptions
    public typealias Progress = TrainingProgress
    public typealias FitResult = LinearFit
    public typealias Refusal = TrainingRefusal

    /// Fits on `rows` (features, 0/1 labels, row weights).
    /// - Throws: ``TrainingRefusal`` when this CPU cannot run the kernels or the solver does not apply.
    public static func fit(_ rows: BlockedRows, options: Options = Options(),
                           progress: Progress? = nil) throws -> FitResult {
        if let refusal = CPUSupport.refusal() { throw Refusal(refusal) }
        let objective = LogisticObjective(rows: rows, c: options.c, threads: options.threads)
        var parameters = [Double](repeating: 0, count: rows.featureCount + 1)
        // Start the intercept at the log-odds of the base rate: fewer iterations.
        let rate = min(max(rows.labelSum / Double(max(rows.rowCount, 1)), 1e-6), 1 - 1e-6)
        parameters[rows.featureCount] = log(rate / (1 - rate))
        return try LinearSolvers.minimize(objective, start: parameters, outputs: 1, options: options, progress: progress)
    }
}
