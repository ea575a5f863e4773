import SluiceKernels
#if canImport(Glibc)
import Glibc
#endif

/// Minibatch Adam or SGD (with momentum 0.9) over ``BlockObjective``: for
/// data that should be passed over only a few times. Minibatches are runs of
/// consecutive blocks, so the caller shuffles the rows once (by seed) before
/// blocking them; each epoch visits the minibatches in an order drawn from
/// `options.seed`. Deterministic: the same data, options and seed give the
/// same bits.
///
/// Stops after `maxEpochs`, or when the epoch's mean minibatch loss (with
/// early stopping: the loss on the held-out last `validationFraction` of the
/// minibatches) has not improved by `tolerance` for `patience` epochs — as
/// scikit-learn's `SGDClassifier(tol, n_iter_no_change)` does. With early
/// stopping the parameters that scored best on the held-out minibatches are
/// returned.
enum MinibatchSolver {
    struct Result {
        let x: [Double]
        /// F on all the rows the solver trained on, at `x`.
        let value: Double
        let gradientNorm: Double
        let epochs: Int
        /// Full-data passes, counting the final evaluation.
        let passes: Int
        /// True when the tolerance rule stopped it (not `maxEpochs`).
        let converged: Bool
    }

    static func minimize(_ objective: some BlockObjective, start: [Double], options: MinibatchOptions, adam: Bool,
                         threads: Int, progress: TrainingProgress?) -> Result {
        let blocks = objective.rows.blockCount
        let perBatch = max(1, (options.batchSize + 7) / 8)
        let batchCount = max(1, (blocks + perBatch - 1) / perBatch)
        let validationBatches = options.earlyStopping
            ? min(max(1, Int((Double(batchCount) * options.validationFraction).rounded())), batchCount - 1) : 0
        let trainingBatches = batchCount - validationBatches
        func range(_ batch: Int) -> Range<Int> { (batch * perBatch)..<min((batch + 1) * perBatch, blocks) }
        let trainingBlocks = 0..<(validationBatches > 0 ? range(trainingBatches).lowerBound : blocks)
        let validationBlocks = trainingBlocks.upperBound..<blocks

        var x = start
        let p = x.count
        var first = [Double](repeating: 0, count: p)    // Adam's m / SGD's velocity
        var second = [Double](repeating: 0, count: p)   // Adam's v
        var step = 0
        var order = Array(0..<trainingBatches)
        var random = SeededRandom(seed: options.seed)
        var best = Double.infinity, bestX = x, stale = 0, converged = false
        var epoch = 0
        var passes = 0
        let beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
        while epoch < options.maxEpochs {
            let rate = options.schedule.rate(options.learningRate, epoch: epoch, of: options.maxEpochs)
            random.shuffle(&order)
            var epochLoss = 0.0
            for batch in order {
                let (value, gradient) = objective.evaluate(x, blocks: range(batch), threads: 1)
                epochLoss += value
                step += 1
                if adam {
                    let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
                    for j in 0..<p {
                        first[j] = beta1 * first[j] + (1 - beta1) * gradient[j]
                        second[j] = beta2 * second[j] + (1 - beta2) * gradient[j] * gradient[j]
                        x[j] -= rate * (first[j] / correction1) / ((second[j] / correction2).squareRoot() + epsilon)
                    }
                } else {
                    for j in 0..<p {
                        first[j] = 0.9 * first[j] - rate * gradient[j]
                        x[j] += first[j]
                    }
                }
            }
            passes += 1
            epoch += 1
            var score = epochLoss / Double(trainingBatches)
            if validationBatches > 0 {
                score = objective.evaluate(x, blocks: validationBlocks, threads: threads).0
            }
            progress?(epoch, score, .nan)
            if score < best - options.tolerance {
                stale = 0
            } else {
                stale += 1
            }
            if score < best { best = score; bestX = x }
            if stale >= options.patience { converged = true; break }
        }
        if validationBatches > 0 { x = bestX }
        let (value, gradient) = objective.evaluate(x, blocks: trainingBlocks, threads: threads)
        passes += 1
        return Result(x: x, value: value, gradientNorm: gradient.reduce(0) { max($0, abs($1)) }, epochs: epoch,
                      passes: passes, converged: converged)
    }
}

/// SplitMix64, for shuffles that are the same on every platform.
public struct SeededRandom: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Fisher–Yates.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for index in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(index, Int(next() % UInt64(index + 1)))
        }
    }
}
