import Foundation
import SluiceKernels
import SluiceML
import SluicePluginSDK

/// The stock `train` stage: binary logistic regression with L2 (scikit-learn's
/// objective for the same `C`), fitted by L-BFGS with SIMD kernels on the
/// training rows. Every numeric non-target column is a feature (run a
/// `features` stage first for categorical columns).
///
/// Parameters: `C` (default 1.0), `max_iterations` (default 200),
/// `tolerance` (gradient ∞-norm, default 1e-5), `positive_class` (optional),
/// `threads` (default: all cores; the result does not depend on it).
/// Stores `model.json` (``LogisticModel``); records metrics `iterations`,
/// `objective`, `gradient_norm`, `training_rows`.
struct TrainStage: Stage {
    static let name = "train"
    static let version = "1.0.0"
    static let kind = StageKind.train
    static let summary = "binary logistic regression, L2, L-BFGS with SIMD kernels"

    func run(_ context: StageContext) throws {
        var options = LogisticRegression.Options()
        options.c = try context.param("C", default: 1.0)
        options.maxIterations = try context.param("max_iterations", default: 200)
        options.gradientTolerance = try context.param("tolerance", default: 1e-5)
        options.threads = try context.param("threads", default: options.threads)
        guard options.c > 0 else { throw StageError("parameter C: expected a positive number, got \(options.c)") }
        let target = context.target
        guard let targetColumn = context.column(named: target) else {
            throw StageError("target column '\(target)' not found")
        }
        let labels = try Self.binaryTarget(context, targetColumn, positiveClass: context.param("positive_class"))
        var features: [Column] = []
        for column in context.columns where column.name != target {
            guard column.type == .numeric else {
                throw StageError("column '\(column.name)' is categorical; add a features stage before train to encode it")
            }
            features.append(column)
        }
        guard !features.isEmpty else { throw StageError("no feature columns besides the target '\(target)'") }
        let roles = context.rowRoles
        let rows = roles.indices.filter { roles[$0] == .train && !labels.labels[$0].isNaN }
        guard rows.count >= 2 else { throw StageError("only \(rows.count) training rows with a target value") }

        let matrix = BlockedRows(columns: features.map { context.numeric($0) }, rows: rows,
                                 labels: rows.map { labels.labels[$0] })
        let maxIterations = options.maxIterations
        let fit = try LogisticRegression.fit(matrix, options: options) { iteration, objective, norm in
            context.progress(Double(iteration) / Double(maxIterations),
                             "iteration \(iteration): loss \(Self.short(objective)), |grad| \(Self.short(norm))")
        }
        let seed = UInt64(context.setting("seed") ?? "0") ?? 0
        let model = LogisticModel(task: "binary", target: target, classes: labels.classes,
                                  features: features.map(\.name), weights: fit.weights, intercept: fit.intercept,
                                  c: options.c, iterations: fit.iterations, converged: fit.converged,
                                  objective: fit.objective, gradientNorm: fit.gradientNorm,
                                  trainingRows: rows.count, seed: seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try context.putArtifact("model.json", Array(try encoder.encode(model)))
        try context.putMetric("iterations", Double(fit.iterations))
        try context.putMetric("objective", fit.objective)
        try context.putMetric("gradient_norm", fit.gradientNorm)
        try context.putMetric("training_rows", Double(rows.count))
        try context.putMetric("passes", Double(fit.evaluations))
        let state = fit.converged ? "converged" : "stopped (not converged: raise max_iterations?)"
        context.log(fit.converged ? .info : .warning,
                    "\(state) after \(fit.iterations) iterations: loss \(Self.short(fit.objective)), "
                    + "|grad| \(Self.short(fit.gradientNorm)), \(rows.count) rows × \(features.count) features")
    }

    static func binaryTarget(_ context: StageContext, _ column: Column, positiveClass: String?) throws -> BinaryTarget {
        switch column.type {
        case .categorical:
            try BinaryTarget(codes: context.codes(column), dictionary: context.dictionary(column), positiveClass: positiveClass)
        case .numeric:
            try BinaryTarget(values: context.numeric(column), positiveClass: positiveClass)
        }
    }

    static func short(_ value: Double) -> String { String(format: "%.4g", value) }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: TrainStage.self) }
