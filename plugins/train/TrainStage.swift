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
/// `threads` (default: all cores; the result does not depend on it),
/// `cv_folds` (default 0 = off): stratified k-fold cross-validation on the
/// training rows, recorded as `cv.<metric>.mean` / `.sd` and `cv.json`.
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
        let folds = try context.param("cv_folds", default: 0)
        if folds != 0 {
            guard folds >= 2, folds <= rows.count / 2 else {
                throw StageError("cv_folds is \(folds); expected 0 (off) or between 2 and half the training rows (\(rows.count / 2))")
            }
            try crossValidate(context, folds: folds, rows: rows, labels: labels.labels,
                              columns: features.map { context.numeric($0) }, options: options, seed: seed)
        }
        let state = fit.converged ? "converged" : "stopped (not converged: raise max_iterations?)"
        context.log(fit.converged ? .info : .warning,
                    "\(state) after \(fit.iterations) iterations: loss \(Self.short(fit.objective)), "
                    + "|grad| \(Self.short(fit.gradientNorm)), \(rows.count) rows × \(features.count) features")
    }

    /// Stratified k-fold cross-validation on the training rows (folds from the
    /// pipeline seed): a model per fold, scored on the rows it did not see.
    /// Records `cv.<metric>.mean` and `cv.<metric>.sd` (population sd over
    /// folds) for accuracy, auc and logloss, and a `cv.json` artifact.
    func crossValidate(_ context: StageContext, folds: Int, rows: [Int], labels: [Float],
                       columns: [UnsafeBufferPointer<Float>], options: LogisticRegression.Options, seed: UInt64) throws {
        // Deal each class's rows, shuffled by the seed, round-robin into folds.
        var state = seed ^ 0xC0FF_EE00_F01D_5EED
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var fold = [Int](repeating: 0, count: rows.count)
        for positive in [false, true] {
            var members = rows.indices.filter { (labels[rows[$0]] == 1) == positive }
            for index in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(index, Int(next() % UInt64(index + 1)))
            }
            for (position, member) in members.enumerated() { fold[member] = position % folds }
        }
        var scores: [String: [Double]] = ["accuracy": [], "auc": [], "logloss": []]
        var perFold: [[String: Double]] = []
        for k in 0..<folds {
            context.progress(Double(k) / Double(folds), "cross-validation fold \(k + 1) of \(folds)")
            let trainRows = rows.indices.filter { fold[$0] != k }.map { rows[$0] }
            let testRows = rows.indices.filter { fold[$0] == k }.map { rows[$0] }
            let matrix = BlockedRows(columns: columns, rows: trainRows, labels: trainRows.map { labels[$0] })
            let fit = try LogisticRegression.fit(matrix, options: options) { _, _, _ in }
            let truth = testRows.map { labels[$0] }
            let probabilities = testRows.map { row -> Double in
                var z = fit.intercept
                for (j, column) in columns.enumerated() { z += fit.weights[j] * Double(column[row]) }
                return 1 / (1 + exp(-z))
            }
            let result = ["accuracy": ClassificationMetrics.accuracy(labels: truth, probabilities: probabilities),
                          "auc": ClassificationMetrics.rocAUC(labels: truth, scores: probabilities),
                          "logloss": ClassificationMetrics.logLoss(labels: truth, probabilities: probabilities)]
            for (name, value) in result { scores[name]!.append(value) }
            perFold.append(result)
        }
        var summary: [String] = []
        for name in ["auc", "accuracy", "logloss"] {
            let values = scores[name]!
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            try context.putMetric("cv.\(name).mean", mean)
            try context.putMetric("cv.\(name).sd", sd)
            summary.append("\(name) \(String(format: "%.4f", mean)) ± \(String(format: "%.4f", sd))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try context.putArtifact("cv.json", Array(try encoder.encode(["folds": perFold])))
        context.log(.info, "\(folds)-fold cross-validation on \(rows.count) training rows: " + summary.joined(separator: ", "))
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
