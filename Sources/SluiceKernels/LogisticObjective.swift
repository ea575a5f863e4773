/// The (weighted) logistic loss, ℓ = softplus(z) − y·z with z = w·x + b and
/// y ∈ {0, 1}, and its gradient in one pass over ``BlockedRows``:
///
///     F = (1/W) Σ wᵢ [softplus(zᵢ) − yᵢ zᵢ] + ‖w‖² / (2 C W)
///
/// Parameters: d weights, then the intercept (not penalized).
public struct LogisticObjective: BlockObjective, @unchecked Sendable {
    typealias V = SIMD8<Float>
    public let rows: BlockedRows
    /// scikit-learn's C (inverse L2 strength; the intercept is not penalized).
    public let c: Double
    public let threads: Int
    public var parameterCount: Int { rows.featureCount + 1 }
    public var penalizedCount: Int { rows.featureCount }
    public var l2: Double { 1 / (c * max(rows.weightSum, .leastNormalMagnitude)) }

    public init(rows: BlockedRows, c: Double, threads: Int) {
        self.rows = rows
        self.c = c
        self.threads = max(1, threads)
    }

    /// One chunk: forward, loss, residual and backward for each block, in one pass.
    public func sweep(blocks: Range<Int>, parameters: [Float], into out: UnsafeMutablePointer<Double>) {
        let d = rows.featureCount
        // Small feature counts keep the accumulators on the stack.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 2 * d + 3) { buffer in
            let weights = buffer.baseAddress!
            for j in 0..<d { weights[j] = V(repeating: parameters[j]) }
            sweep(blocks: blocks, weights: weights, intercept: parameters[d], into: out,
                  accumulators: weights + d)
        }
    }

    @inline(__always)
    func sweep(blocks: Range<Int>, weights: UnsafeMutablePointer<V>, intercept: Float,
               into out: UnsafeMutablePointer<Double>, accumulators: UnsafeMutablePointer<V>) {
        let d = rows.featureCount
        let x = rows.values.baseAddress!
        var block = blocks.lowerBound
        while block < blocks.upperBound {
            // Float accumulation over at most 16 blocks (128 rows), then Double.
            accumulators.initialize(repeating: V(), count: d + 3)
            let end = min(block + 16, blocks.upperBound)
            while block < end {
                let row = x + block * d
                let z = SIMDMath.dot(row, weights, count: d, plus: intercept)
                let y = rows.labels[block], m = rows.mask[block]
                let (sigmoid, softplus) = SIMDMath.sigmoidAndSoftplus(z)
                let residual = (sigmoid - y) * m
                accumulators[d + 1] = accumulators[d + 1].addingProduct(softplus - y * z, m)
                accumulators[d + 2] += m
                accumulators[d] += residual
                for j in 0..<d { accumulators[j] = accumulators[j].addingProduct(row[j], residual) }
                block += 1
            }
            ChunkedPass.flush(accumulators, count: d + 3, into: out)
        }
    }
}
