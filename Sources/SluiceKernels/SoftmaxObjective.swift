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
        let group = 16
        // Broadcast weights (k·d), intercepts (k), the logits (then residuals)
        // of a group of blocks (16k), accumulators.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 2 * parameterCount + group * k + 2) { buffer in
            let weights = buffer.baseAddress!
            for i in 0..<parameterCount { weights[i] = V(repeating: parameters[i]) }
            let residuals = weights + parameterCount
            let accumulators = residuals + group * k
            let x = rows.values.baseAddress!
            var block = blocks.lowerBound
            while block < blocks.upperBound {
                // Float accumulation over at most 16 blocks (128 rows), then Double.
                accumulators.initialize(repeating: V(), count: accumulatorCount)
                let count = min(group, blocks.upperBound - block)
                // Forward half of every block of the group: logits, softmax, loss,
                // and the residuals the backward half needs.
                for slot in 0..<count {
                    self.residuals(block + slot, weights: weights, into: residuals + slot * k, accumulators: accumulators)
                }
                // Backward half, Σ over the group's blocks of x_j · r_c, in 3 × 4
                // tiles (classes × features) whose sums stay in registers: an FMA no
                // longer loads and stores its accumulator. Each sum still adds the
                // blocks in order, as one block at a time would: the same bits.
                let xStride = d &* MemoryLayout<V>.stride, rStride = k &* MemoryLayout<V>.stride
                let xRows = UnsafeRawPointer(x + block * d), rRows = UnsafeRawPointer(residuals)
                var c0 = 0
                while c0 < k {
                    // Classes and features past the end repeat the last one; those sums are not kept.
                    let c1 = min(c0 + 1, k - 1), c2 = min(c0 + 2, k - 1)
                    var j0 = 0
                    while j0 < d {
                        let j1 = min(j0 + 1, d - 1), j2 = min(j0 + 2, d - 1), j3 = min(j0 + 3, d - 1)
                        let tile = RegisterTile(left: rRows, leftStride: rStride, c0, c1, c2,
                                                right: xRows, rightStride: xStride, j0, j1, j2, j3, count: count)
                        tile.forEach { sum, dc, dj in
                            if c0 + dc < k && j0 + dj < d { accumulators[(c0 + dc) * d + j0 + dj] = sum }
                        }
                        j0 += 4
                    }
                    c0 += 3
                }
                ChunkedPass.flush(accumulators, count: accumulatorCount, into: out)
                block += count
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
        // Every class's logit as its own dot product in four FMA chains (the
        // order of SIMDMath.dot), three classes at a time so each x vector is
        // loaded once for three classes.
        var c = 0
        while c + 3 <= k {
            let w0 = weights + c * d, w1 = w0 + d, w2 = w1 + d
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            var b0 = V(), b1 = V(), b2 = V(), b3 = V()
            var e0 = V(), e1 = V(), e2 = V(), e3 = V()
            var j = 0
            while j + 4 <= d {
                let x0 = row[j], x1 = row[j + 1], x2 = row[j + 2], x3 = row[j + 3]
                a0 = a0.addingProduct(x0, w0[j]); a1 = a1.addingProduct(x1, w0[j + 1])
                a2 = a2.addingProduct(x2, w0[j + 2]); a3 = a3.addingProduct(x3, w0[j + 3])
                b0 = b0.addingProduct(x0, w1[j]); b1 = b1.addingProduct(x1, w1[j + 1])
                b2 = b2.addingProduct(x2, w1[j + 2]); b3 = b3.addingProduct(x3, w1[j + 3])
                e0 = e0.addingProduct(x0, w2[j]); e1 = e1.addingProduct(x1, w2[j + 1])
                e2 = e2.addingProduct(x2, w2[j + 2]); e3 = e3.addingProduct(x3, w2[j + 3])
                j += 4
            }
            while j < d {
                a0 = a0.addingProduct(row[j], w0[j]); b0 = b0.addingProduct(row[j], w1[j]); e0 = e0.addingProduct(row[j], w2[j])
                j += 1
            }
            logits[c] = ((a0 + a1) + (a2 + a3)) + weights[k * d + c]
            logits[c + 1] = ((b0 + b1) + (b2 + b3)) + weights[k * d + c + 1]
            logits[c + 2] = ((e0 + e1) + (e2 + e3)) + weights[k * d + c + 2]
            c += 3
        }
        while c < k {
            logits[c] = SIMDMath.dot(row, weights + c * d, count: d, plus: 0) + weights[k * d + c]
            c += 1
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
