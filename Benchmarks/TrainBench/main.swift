// sluice-bench-train: times sluice's logistic-regression training on the
// benchmark matrix and writes the matrix for scikit-learn to fit in the same
// run (Benchmarks/train_vs_sklearn.py prints the comparison).
//
//   sluice-bench-train --rows 1000000 --out DIR
//
// Data (seeded, SplitMix64): 32 numeric columns with mixed scales, one
// 10-level categorical one-hot encoded (10 columns), a binary label from a
// logistic model: 42 features. Numeric columns are standardized (as the
// features stage would). The first 80% of rows are the training split.
import Dispatch
import Foundation
import SluiceKernels
import SluiceML

struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

func argument(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let index = args.firstIndex(of: name), index + 1 < args.count { return args[index + 1] }
    return fallback
}

let rows = Int(argument("--rows", "1000000"))!
let out = argument("--out", "/tmp/sluice-bench-train")
let threads = Int(argument("--threads", String(ProcessInfoCores.count)))!
try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
let task = argument("--task", "binary")
if task != "binary" {
    try runOtherTask(task)
    exit(0)
}

// Generate.
var rng = Generator(state: 20_261_122)
let numeric = 32, levels = 10, d = numeric + levels
var columns = [[Float]](repeating: [Float](repeating: 0, count: rows), count: d)
var labels = [Float](repeating: 0, count: rows)
let truth = (0..<d).map { j in 0.5 * sin(Double(j) * 1.7) }
let scales = (0..<numeric).map { j in pow(10.0, Double(j % 7) - 3) }   // 1e-3 … 1e3
for i in 0..<rows {
    var z = -0.5
    for j in 0..<numeric {
        let standard = rng.normal()
        columns[j][i] = Float(standard * scales[j])
        z += truth[j] * standard
    }
    let level = Int(rng.uniform() * Double(levels))
    columns[numeric + level][i] = 1
    z += truth[numeric + level]
    labels[i] = rng.uniform() < 1 / (1 + exp(-z)) ? 1 : 0
}
// Standardize numeric columns on the training split (as the features stage does).
let trainRows = rows * 8 / 10
for j in 0..<numeric {
    var mean = 0.0, squares = 0.0
    for i in 0..<trainRows { mean += Double(columns[j][i]) }
    mean /= Double(trainRows)
    for i in 0..<trainRows { let delta = Double(columns[j][i]) - mean; squares += delta * delta }
    let sd = (squares / Double(trainRows)).squareRoot()
    for i in 0..<rows { columns[j][i] = Float((Double(columns[j][i]) - mean) / sd) }
}

// Write the training split, row-major float32, for scikit-learn.
var matrix = [Float](repeating: 0, count: trainRows * d)
for i in 0..<trainRows { for j in 0..<d { matrix[i * d + j] = columns[j][i] } }
try Data(bytes: matrix, count: matrix.count * 4).write(to: URL(fileURLWithPath: out + "/X_train.f32"))
try Data(labels[0..<trainRows].map { UInt8($0) }).write(to: URL(fileURLWithPath: out + "/y_train.u8"))
matrix = []

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

// Layout (not timed as training: the pipeline's table → blocks copy is part of the train stage, reported apart).
var blocked: BlockedRows!
let layoutSeconds = seconds {
    let buffers = columns.map { column in column.withUnsafeBufferPointer { $0 } }
    blocked = BlockedRows(columns: buffers, rows: Array(0..<trainRows), labels: Array(labels[0..<trainRows]))
}

// One fused loss+gradient pass, and the memory-bandwidth bound over the same bytes.
let objective = LogisticObjective(rows: blocked, c: 1.0, threads: threads)
let parameters = (0...d).map { Double($0 % 5) * 0.01 }
_ = objective.evaluate(parameters)
let bytes = Double(blocked.blockCount * (d + 2) * 32)
let chunks = 64
let streamed = UnsafeSendableBox(blocked.values.baseAddress!)
let streamedCount = blocked.values.count
/// The bound: a streaming sum over the same bytes on the same threads.
func streamSum() -> Double {
    var partial = [SIMD8<Float>](repeating: SIMD8(), count: chunks)
    return seconds {
        partial.withUnsafeMutableBufferPointer { partial in
            let sums = UnsafeSendableBox(partial.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let values = streamed.pointer
                let first = streamedCount * chunk / chunks, last = streamedCount * (chunk + 1) / chunks
                var a = SIMD8<Float>(), b = SIMD8<Float>(), c = SIMD8<Float>(), e = SIMD8<Float>()
                var i = first
                while i + 4 <= last { a += values[i]; b += values[i + 1]; c += values[i + 2]; e += values[i + 3]; i += 4 }
                while i < last { a += values[i]; i += 1 }
                sums.pointer[chunk] = a + b + c + e
            }
        }
    }
}
// Passes and streaming sums alternate, so both see the same machine (a VM's
// speed drifts within seconds); the best of each is kept.
var passBest = Double.infinity, streamBest = Double.infinity
for _ in 0..<15 {
    passBest = min(passBest, seconds { _ = objective.evaluate(parameters) })
    streamBest = min(streamBest, streamSum())
}

// Fit.
var options = LogisticRegression.Options()
options.threads = threads
options.gradientTolerance = 1e-5
var fit: LogisticRegression.FitResult!
let fitSeconds = try seconds { fit = try LogisticRegression.fit(blocked, options: options) }

// Minibatch Adam on scikit-learn SGDClassifier's objective (alpha 1e-4 ⇔ C = 1 / (alpha·n)):
// fits of 1, 2, … epochs, each timed, so the script can pick the first at or below SGD's objective.
var adamRuns: [[String: Any]] = []
for epochs in 1...6 {
    var adam = LogisticRegression.Options()
    adam.threads = threads
    adam.solver = .adam
    adam.c = 1 / (1e-4 * Double(trainRows))
    adam.minibatch.maxEpochs = epochs
    adam.minibatch.batchSize = 8192
    adam.minibatch.learningRate = 0.02
    adam.minibatch.tolerance = 0
    adam.minibatch.patience = 1000
    var adamFit: LinearFit!
    let time = try seconds { adamFit = try LogisticRegression.fit(blocked, options: adam) }
    adamRuns.append(["epochs": epochs, "seconds": time, "objective": adamFit.objective])
}

let result: [String: Any] = [
    "adam": adamRuns,
    "rows": trainRows, "features": d, "threads": threads,
    "fit_seconds": fitSeconds, "iterations": fit.iterations, "passes": fit.evaluations,
    "objective": fit.objective, "gradient_norm": fit.gradientNorm, "converged": fit.converged,
    "pass_seconds": passBest, "stream_seconds": streamBest, "pass_bytes": bytes,
    "layout_seconds": layoutSeconds,
    "coef": fit.weights, "intercept": fit.intercept,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
FileHandle.standardOutput.write(json)
FileHandle.standardOutput.write("\n".data(using: .utf8)!)

/// The multiclass (5 classes) and regression benchmarks: generate, write for
/// scikit-learn, fit, print JSON.
func runOtherTask(_ task: String) throws {
    var rng = Generator(state: task == "multiclass" ? 20_261_123 : 20_261_124)
    let d = 32, k = 5
    let trainRows = rows * 8 / 10
    var columns = [[Float]](repeating: [Float](repeating: 0, count: trainRows), count: d)
    var labels = [Float](repeating: 0, count: trainRows)
    let truth = (0..<(d * k)).map { 0.4 * sin(Double($0) * 1.3) }
    for i in 0..<trainRows {
        var z = [Double](repeating: 0, count: k)
        for j in 0..<d {
            let x = rng.normal()
            columns[j][i] = Float(x)
            for c in 0..<(task == "multiclass" ? k : 1) { z[c] += truth[c * d + j] * x }
        }
        if task == "multiclass" {
            let e = z.map { exp($0) }
            var u = rng.uniform() * e.reduce(0, +), c = 0
            while c < k - 1 && u >= e[c] { u -= e[c]; c += 1 }
            labels[i] = Float(c)
        } else {
            labels[i] = Float(3 + z[0] + rng.normal())
        }
    }
    var matrix = [Float](repeating: 0, count: trainRows * d)
    for i in 0..<trainRows { for j in 0..<d { matrix[i * d + j] = columns[j][i] } }
    try Data(bytes: matrix, count: matrix.count * 4).write(to: URL(fileURLWithPath: out + "/X_\(task).f32"))
    try Data(bytes: labels, count: labels.count * 4).write(to: URL(fileURLWithPath: out + "/y_\(task).f32"))
    matrix = []
    let buffers = columns.map { column in column.withUnsafeBufferPointer { $0 } }
    let blocked = BlockedRows(columns: buffers, rows: Array(0..<trainRows), labels: labels)
    var options = TrainingOptions()
    options.threads = threads
    var fit: LinearFit!
    let time: Double
    if task == "multiclass" {
        options.gradientTolerance = 1e-5
        time = try seconds { fit = try SoftmaxRegression.fit(blocked, classCount: k, options: options) }
    } else {
        options.solver = .cholesky
        options.alpha = 1
        time = try seconds { fit = try LinearRegression.fit(blocked, options: options) }
    }
    let result: [String: Any] = [
        "task": task, "rows": trainRows, "features": d, "threads": threads, "fit_seconds": time,
        "iterations": fit.iterations, "passes": fit.evaluations, "objective": fit.objective,
        "coef": fit.coefficients, "intercepts": fit.intercepts,
    ]
    FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]))
    FileHandle.standardOutput.write("\n".data(using: .utf8)!)
}

struct UnsafeSendableBox<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
