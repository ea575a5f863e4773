import Foundation
import SluiceKernels
import SluiceML
import SluicePluginSDK
import SluiceFormats

/// k-fold cross-validation on the training rows (folds from the pipeline
/// seed; stratified by class for classification): a model per fold, scored on
/// the rows it did not see. Records `cv.<metric>.mean` and `cv.<metric>.sd`
/// (population sd over folds) for the task's main metrics and a `cv.json`
/// artifact with every fold's numbers.
struct CrossValidation {
    let context: StageContext
    let task: TaskTarget.Task
    let target: TaskTarget
    let columns: [UnsafeBufferPointer<Float>]
    let options: TrainingOptions
    /// Per-row weights in the order of the `rows` handed to ``run(folds:rows:)``.
    let weights: [Float]?
    let seed: UInt64

    var reported: [String] {
        task == .regression ? ["rmse", "mae", "r2"] : ["auc", "accuracy", "logloss"]
    }

    func run(folds: Int, rows: [Int]) throws {
        var random = SeededRandom(seed: seed ^ 0xC0FF_EE00_F01D_5EED)
        var fold = [Int](repeating: 0, count: rows.count)
        // Deal each class's rows (or all rows, for regression), shuffled, round-robin into folds.
        let groups: [[Int]] = task == .regression ? [Array(rows.indices)]
            : Dictionary(grouping: rows.indices, by: { target.labels[rows[$0]] }).sorted { $0.key < $1.key }.map(\.value)
        for var members in groups {
            random.shuffle(&members)
            for (position, member) in members.enumerated() { fold[member] = position % folds }
        }
        var scores: [String: [Double]] = [:]
        var perFold: [[String: Double]] = []
        for k in 0..<folds {
            context.progress(Double(k) / Double(folds), "cross-validation fold \(k + 1) of \(folds)")
            let train = rows.indices.filter { fold[$0] != k }
            let test = rows.indices.filter { fold[$0] == k }.map { rows[$0] }
            let matrix = BlockedRows(columns: columns, rows: train.map { rows[$0] },
                                     labels: train.map { target.labels[rows[$0]] }, weights: weights.map { w in train.map { w[$0] } })
            let fit = try TrainStage.fit(matrix, task: task, classCount: target.classes.count, options: options, progress: nil)
            let measured = Dictionary(TaskMetrics.measure(task: task, classes: target.classes,
                                                          labels: test.map { target.labels[$0] },
                                                          scores: LinearModel.scores(
                                                              coefficients: fit.coefficients, intercepts: fit.intercepts,
                                                              link: task.link, columns: columns, rows: test)),
                                      uniquingKeysWith: { first, _ in first })
            var result: [String: Double] = [:]
            for name in reported { result[name] = measured[name] ?? .nan; scores[name, default: []].append(measured[name] ?? .nan) }
            perFold.append(result)
        }
        var summary: [String] = []
        for name in reported {
            let values = scores[name]!
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            if !mean.isNaN {
                try context.putMetric("cv.\(name).mean", mean)
                try context.putMetric("cv.\(name).sd", sd)
            }
            summary.append("\(name) \(String(format: "%.4f", mean)) ± \(String(format: "%.4f", sd))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try context.putArtifact("cv.json", Array(try encoder.encode(["folds": perFold])))
        context.log(.info, "\(folds)-fold cross-validation on \(rows.count) training rows: " + summary.joined(separator: ", "))
    }
}
