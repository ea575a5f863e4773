/// The (weighted) multinomial logistic loss with K classes,
/// ℓ = log Σₖ e^{zₖ} − z_y with zₖ = Wₖ·x + bₖ and y ∈ {0, …, K−1} (the
/// class index, stored as a Float label), and its gradient in one pass:
///
///     F = (1/W) Σ wᵢ ℓᵢ + ‖W‖²_F / (2 C W)
///
/// — scikit-learn's multinomial `LogisticRegression` objective. Parameters:
/// K·d weights (class k's weights at k·d …), then K intercepts (not penalized).
public struct SoftmaxObjective: BlockObjective, @unchecked Sendable {
    typealias V = SIMD8<Float>
    public let rows: BlockedRows
    public let classCount: Int
    public let c: Double
    public let threads: Int
    public var parameterCount: Int { classCount * (rows.featureCount + 1) }
    public var penalizedCount: Int { classCount * rows.featureCount }
    public var l2: Double { 1 / (c * max(rows.weightSum, .leastNormalMagnitude)) }

    public init(rows: BlockedRows, classCount: Int, c: Double, threads: Int) {
        precondition(classCount >= 2, "softmax needs at least 2 classes")
        self.rows = rows
        self.classCount = classCount
        self.c = c
        self.threads = max(1, threads)
    }

    public func sweep(blocks: Range<Int>, parameters: [Float], into out: UnsafeMutablePointer<Double>) {
        let d = rows.featureCount, k = classCount
        let accumulatorCount = parameterCount + 2
        // Broadcast weights (k·d), intercepts (k), logits of two blocks (2k), accumulators.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 2 * parameterCount + 2 * k + 2) { buffer in
            let weights = buffer.baseAddress!
            for i in 0..<parameterCount { weights[i] = V(repeating: parameters[i]) }
            let logits0 = weights + parameterCount, logits1 = logits0 + k
            let accumulators = logits1 + k
            let x = rows.values.baseAddress!
            var block = blocks.lowerBound
            while block < blocks.upperBound {
                accumulators.initialize(repeating: V(), count: accumulatorCount)
                let end = min(block + 16, blocks.upperBound)
                // Two blocks at a time: each gradient accumulator is loaded and
                // stored once per two FMAs, in the same order as one at a time.
                while block + 2 <= end {
                    let row0 = x + block * d, row1 = row0 + d
                    residuals(block, weights: weights, into: logits0, accumulators: accumulators)
                    residuals(block + 1, weights: weights, into: logits1, accumulators: accumulators)
                    for j in 0..<d {
                        let value0 = row0[j], value1 = row1[j]
                        for c in 0..<k {
                            accumulators[c * d + j] = accumulators[c * d + j].addingProduct(value0, logits0[c])
                                .addingProduct(value1, logits1[c])
                        }
                    }
                    block += 2
                }
                while block < end {
                    let row = x + block * d
                    residuals(block, weights: weights, into: logits0, accumulators: accumulators)
                    for j in 0..<d {
                        let value = row[j]
                        for c in 0..<k {
                            accumulators[c * d + j] = accumulators[c * d + j].addingProduct(value, logits0[c])
                        }
                    }
                    block += 1
                }
                ChunkedPass.flush(accumulators, count: accumulatorCount, into: out)
            }
        }
    }

    /// One block's forward half: the K logits, the softmax, the loss (added to
    /// its accumulator with the weight and the intercept gradients), and the
    /// weighted residuals pₖ − [y = k] left in `logits` for the backward half.
    @inline(__always)
    func residuals(_ block: Int, weights: UnsafeMutablePointer<V>, into logits: UnsafeMutablePointer<V>,
                   accumulators: UnsafeMutablePointer<V>) {
        let d = rows.featureCount, k = classCount
        let row = rows.values.baseAddress! + block * d
        // Every class's logit as its own dot product: four FMA chains in
        // registers per class (x comes from L1 again for each class).
        for c in 0..<k {
            logits[c] = SIMDMath.dot(row, weights + c * d, count: d, plus: 0) + weights[k * d + c]
        }
        var top = logits[0]
        for c in 1..<k { top = top.replacing(with: logits[c], where: logits[c] .> top) }
        let y = rows.labels[block], m = rows.mask[block]
        var total = V()
        var chosen = V()
        for c in 0..<k {
            let e = SIMDMath.exp(logits[c] - top)
            chosen = chosen.replacing(with: logits[c], where: y .== V(repeating: Float(c)))
            logits[c] = e            // the logits are no longer needed: keep e^(z−max)
            total += e
        }
        let loss = SIMDMath.log(total) + top - chosen
        accumulators[parameterCount] = accumulators[parameterCount].addingProduct(loss, m)
        accumulators[parameterCount + 1] += m
        let scale = m / total
        for c in 0..<k {
            var residual = logits[c] * scale
            residual = residual.replacing(with: residual - m, where: y .== V(repeating: Float(c)))
            logits[c] = residual
            accumulators[k * d + c] += residual
        }
    }
}
