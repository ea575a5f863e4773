import Foundation
import SluiceKernels
import SluiceML
import SluicePluginSDK
import SluiceFormats

/// The stock `train` stage: a linear model for the pipeline's task, with
/// scikit-learn's objective for the same parameters (docs/kernels.md), fitted
/// with SIMD kernels on the training rows. Every numeric non-target column is
/// a feature (run a `features` stage first for categorical columns).
///
/// - binary: logistic regression (L2, `C`); multiclass: multinomial (softmax)
///   logistic regression (L2, `C`); regression: ridge (`alpha`) or elastic net
///   (`alpha`, `l1_ratio` > 0).
/// - `solver`: `lbfgs` (default for classification), `cholesky` (default for
///   ridge), `cd` (elastic net), `adam`, `sgd` (minibatch; `batch_size` 4096,
///   `epochs` 30, `learning_rate` 0.01, `schedule` invscaling|constant|cosine,
///   `tol` 1e-4 and `n_iter_no_change` 3 on the epoch loss, `early_stopping`
///   false with `validation_fraction` 0.1).
/// - `class_weight: balanced`, or `class_weight.<class>: <weight>` per class.
/// - `max_iterations` (200), `tolerance` (gradient ∞-norm, 1e-5),
///   `positive_class` (binary), `threads` (all cores; the result does not depend on it),
///   `cv_folds` (0 = off): k-fold cross-validation on the training rows
///   (stratified for classification), recorded as `cv.<metric>.mean` / `.sd` and `cv.json`.
/// Stores `model.json` (``LinearModel``); records metrics `iterations`,
/// `objective`, `gradient_norm`, `training_rows`, `passes`.
struct TrainStage: Stage {
    static let name = "train"
    static let version = "2.0.0"
    static let kind = StageKind.train
    static let summary = "logistic, softmax, ridge or elastic-net regression with SIMD kernels (L-BFGS, Cholesky, CD, Adam, SGD)"

    func run(_ context: StageContext) throws {
        let taskName = context.setting("task") ?? "binary"
        guard let task = TaskTarget.Task(rawValue: taskName) else {
            throw StageError("task '\(taskName)' is not one train fits (binary, multiclass, regression)")
        }
        let options = try Self.options(context, task: task)
        let target = context.target
        guard let targetColumn = context.column(named: target) else {
            throw StageError("target column '\(target)' not found")
        }
        let labels = try context.taskTarget(targetColumn, task: task, positiveClass: context.param("positive_class"))
        var features: [Column] = []
        for column in context.columns where column.name != target {
            guard column.type == .numeric else {
                throw StageError("column '\(column.name)' is categorical; add a features stage before train to encode it")
            }
            features.append(column)
        }
        guard !features.isEmpty else { throw StageError("no feature columns besides the target '\(target)'") }
        let roles = context.rowRoles
        var rows = roles.indices.filter { roles[$0] == .train && !labels.labels[$0].isNaN }
        guard rows.count >= 2 else { throw StageError("only \(rows.count) training rows with a target value") }
        let seed = UInt64(context.setting("seed") ?? "0") ?? 0
        if options.solver == .adam || options.solver == .sgd {
            // Minibatches are runs of rows: shuffle once so each is a random sample.
            var random = SeededRandom(seed: seed ^ 0x5EED_0F_BA7C4)
            random.shuffle(&rows)
        }
        let weights = try Self.classWeights(context, labels, rows: rows)
        let columns = features.map { context.numeric($0) }
        let matrix = BlockedRows(columns: columns, rows: rows, labels: rows.map { labels.labels[$0] }, weights: weights?.perRow)
        let limit = options.solver == .adam || options.solver == .sgd ? options.minibatch.maxEpochs : options.maxIterations
        let unit = options.solver == .adam || options.solver == .sgd ? "epoch" : "iteration"
        let fit = try Self.fit(matrix, task: task, classCount: labels.classes.count, options: options) { iteration, objective, norm in
            context.progress(Double(iteration) / Double(max(limit, 1)),
                             "\(unit) \(iteration): loss \(Self.short(objective))" + (norm.isNaN ? "" : ", |grad| \(Self.short(norm))"))
        }
        let model = LinearModel(
            task: task.rawValue, target: target, classes: labels.classes, features: features.map(\.name),
            link: task.link,
            coefficients: fit.coefficients, intercepts: fit.intercepts, solver: fit.solver.rawValue,
            penalty: task == .regression && options.l1Ratio > 0 ? "elasticnet" : "l2",
            c: task == .regression ? nil : options.c, alpha: task == .regression ? options.alpha : nil,
            l1Ratio: task == .regression ? options.l1Ratio : nil, classWeights: weights?.byClass,
            iterations: fit.iterations, converged: fit.converged, objective: fit.objective,
            gradientNorm: fit.gradientNorm.isNaN ? 0 : fit.gradientNorm, trainingRows: rows.count, seed: seed)
        try context.putArtifact("model.json", Array(try FormatCoding.prettyEncoder().encode(model)))
        try context.putMetric("iterations", Double(fit.iterations))
        try context.putMetric("objective", fit.objective)
        if !fit.gradientNorm.isNaN { try context.putMetric("gradient_norm", fit.gradientNorm) }
        try context.putMetric("training_rows", Double(rows.count))
        try context.putMetric("passes", Double(fit.evaluations))
        let folds = try context.param("cv_folds", default: 0)
        if folds != 0 {
            guard folds >= 2, folds <= rows.count / 2 else {
                throw StageError("cv_folds is \(folds); expected 0 (off) or between 2 and half the training rows (\(rows.count / 2))")
            }
            try CrossValidation(context: context, task: task, target: labels, columns: columns, options: options,
                                weights: weights?.perRow, seed: seed)
                .run(folds: folds, rows: rows)
        }
        let state = fit.converged ? "converged" : "stopped (not converged: raise max_iterations or epochs?)"
        context.log(fit.converged ? .info : .warning,
                    "\(task.rawValue), solver \(fit.solver.rawValue): \(state) after \(fit.iterations) \(unit)s: "
                    + "loss \(Self.short(fit.objective))" + (fit.gradientNorm.isNaN ? "" : ", |grad| \(Self.short(fit.gradientNorm))")
                    + ", \(rows.count) rows × \(features.count) features")
    }

    static func fit(_ matrix: BlockedRows, task: TaskTarget.Task, classCount: Int, options: TrainingOptions,
                    progress: TrainingProgress?) throws -> LinearFit {
        do {
            switch task {
            case .binary: return try LogisticRegression.fit(matrix, options: options, progress: progress)
            case .multiclass:
                return try SoftmaxRegression.fit(matrix, classCount: classCount, options: options, progress: progress)
            case .regression: return try LinearRegression.fit(matrix, options: options, progress: progress)
            }
        } catch let refusal as TrainingRefusal {
            throw StageError(refusal.description)
        }
    }

    /// The parameters, checked, with the task's default solver.
    /// Every parameter this stage reads (besides `class_weight.<class>`).
    static let knownParameters = [
        "C", "alpha", "l1_ratio", "solver", "class_weight", "positive_class", "max_iterations", "tolerance", "threads",
        "batch_size", "epochs", "learning_rate", "schedule", "tol", "n_iter_no_change", "early_stopping",
        "validation_fraction", "cv_folds",
    ]

    static func options(_ context: StageContext, task: TaskTarget.Task) throws -> TrainingOptions {
        for key in context.params.keys.sorted() where !knownParameters.contains(key) && !key.hasPrefix("class_weight.") {
            let close = knownParameters.min { editDistance($0, key) < editDistance($1, key) }
            let hint = close.map { editDistance($0, key) <= 3 ? " (did you mean '\($0)'?)" : "" } ?? ""
            throw StageError("unknown parameter '\(key)'\(hint); train takes: \(knownParameters.joined(separator: ", ")), class_weight.<class>")
        }
        var options = TrainingOptions()
        options.c = try context.param("C", default: 1.0)
        options.alpha = try context.param("alpha", default: 1.0)
        options.l1Ratio = try context.param("l1_ratio", default: 0.0)
        options.maxIterations = try context.param("max_iterations", default: task == .regression ? 1000 : 200)
        options.gradientTolerance = try context.param("tolerance", default: task == .regression ? 1e-8 : 1e-5)
        options.threads = try context.param("threads", default: options.threads)
        guard options.c > 0 else { throw StageError("parameter C: expected a positive number, got \(options.c)") }
        guard options.alpha >= 0 else { throw StageError("parameter alpha: expected a number ≥ 0, got \(options.alpha)") }
        guard (0...1).contains(options.l1Ratio) else {
            throw StageError("parameter l1_ratio: expected a number in [0, 1], got \(options.l1Ratio)")
        }
        if task != .regression {
            for name in ["alpha", "l1_ratio"] where context.param(name) != nil {
                throw StageError("parameter \(name) applies to task regression; task \(task.rawValue) uses C")
            }
        } else if context.param("C") != nil {
            throw StageError("parameter C applies to classification; task regression uses alpha (and l1_ratio)")
        }
        let defaultSolver: Solver = task != .regression ? .lbfgs : (options.l1Ratio > 0 ? .cd : .cholesky)
        let solverName = context.param("solver") ?? defaultSolver.rawValue
        guard let solver = Solver(rawValue: solverName) else {
            throw StageError("parameter solver: '\(solverName)' is not one of \(Solver.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let allowed: [Solver] = task != .regression ? [.lbfgs, .adam, .sgd]
            : (options.l1Ratio > 0 ? [.cd] : [.cholesky, .lbfgs, .adam, .sgd])
        guard allowed.contains(solver) else {
            throw StageError("solver \(solver.rawValue) does not fit task \(task.rawValue)"
                             + (task == .regression && options.l1Ratio > 0 ? " with l1_ratio > 0" : "")
                             + "; use one of \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        options.solver = solver
        var minibatch = MinibatchOptions()
        minibatch.batchSize = try context.param("batch_size", default: minibatch.batchSize)
        minibatch.maxEpochs = try context.param("epochs", default: minibatch.maxEpochs)
        minibatch.learningRate = try context.param("learning_rate", default: solver == .sgd ? 0.05 : minibatch.learningRate)
        minibatch.tolerance = try context.param("tol", default: minibatch.tolerance)
        minibatch.patience = try context.param("n_iter_no_change", default: minibatch.patience)
        minibatch.validationFraction = try context.param("validation_fraction", default: minibatch.validationFraction)
        let early = context.param("early_stopping") ?? "false"
        guard ["true", "false"].contains(early) else {
            throw StageError("parameter early_stopping: expected true or false, got '\(early)'")
        }
        minibatch.earlyStopping = early == "true"
        let scheduleName = context.param("schedule") ?? minibatch.schedule.rawValue
        guard let schedule = LearningRateSchedule(rawValue: scheduleName) else {
            throw StageError("parameter schedule: '\(scheduleName)' is not one of "
                             + LearningRateSchedule.allCases.map(\.rawValue).joined(separator: ", "))
        }
        minibatch.schedule = schedule
        guard minibatch.batchSize >= 8, minibatch.maxEpochs >= 1, minibatch.learningRate > 0, minibatch.patience >= 1,
              minibatch.validationFraction > 0, minibatch.validationFraction < 1 else {
            throw StageError("minibatch parameters: expected batch_size ≥ 8, epochs ≥ 1, learning_rate > 0, "
                             + "n_iter_no_change ≥ 1, 0 < validation_fraction < 1")
        }
        minibatch.seed = UInt64(context.setting("seed") ?? "0") ?? 0
        options.minibatch = minibatch
        return options
    }

    /// `class_weight: balanced` or `class_weight.<class>: <weight>` as per-row weights.
    static func classWeights(_ context: StageContext, _ target: TaskTarget, rows: [Int]) throws -> (perRow: [Float], byClass: [String: Double])? {
        var explicit: [String: Double] = [:]
        for (key, text) in context.params where key.hasPrefix("class_weight.") {
            guard let weight = Double(text), weight >= 0 else {
                throw StageError("parameter \(key): expected a weight ≥ 0, got '\(text)'")
            }
            explicit[String(key.dropFirst("class_weight.".count))] = weight
        }
        let mode = context.param("class_weight")
        guard mode == nil || mode == "balanced" else {
            throw StageError("parameter class_weight: expected 'balanced' (or class_weight.<class>: <weight> per class), got '\(mode!)'")
        }
        do {
            return try target.classWeights(balanced: mode == "balanced", explicit: explicit, rows: rows)
        } catch let problem as TaskTarget.Problem {
            throw StageError(problem.description)
        }
    }

    static func short(_ value: Double) -> String { String(format: "%.4g", value) }

    /// Levenshtein distance, for "did you mean".
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: TrainStage.self) }
