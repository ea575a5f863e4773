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
            // Four blocks at a time: each gradient accumulator is loaded and stored
            // once per four FMAs (the additions happen in the same order as one
            // block at a time, so the bits are the same).
            while block + 4 <= end {
                let row0 = x + block * d, row1 = row0 + d, row2 = row1 + d, row3 = row2 + d
                let z0 = SIMDMath.dot(row0, weights, count: d, plus: intercept)
                let z1 = SIMDMath.dot(row1, weights, count: d, plus: intercept)
                let z2 = SIMDMath.dot(row2, weights, count: d, plus: intercept)
                let z3 = SIMDMath.dot(row3, weights, count: d, plus: intercept)
                let y0 = rows.labels[block], m0 = rows.mask[block]
                let y1 = rows.labels[block + 1], m1 = rows.mask[block + 1]
                let y2 = rows.labels[block + 2], m2 = rows.mask[block + 2]
                let y3 = rows.labels[block + 3], m3 = rows.mask[block + 3]
                let (sigmoid0, softplus0) = SIMDMath.sigmoidAndSoftplus(z0)
                let (sigmoid1, softplus1) = SIMDMath.sigmoidAndSoftplus(z1)
                let (sigmoid2, softplus2) = SIMDMath.sigmoidAndSoftplus(z2)
                let (sigmoid3, softplus3) = SIMDMath.sigmoidAndSoftplus(z3)
                let r0 = (sigmoid0 - y0) * m0, r1 = (sigmoid1 - y1) * m1
                let r2 = (sigmoid2 - y2) * m2, r3 = (sigmoid3 - y3) * m3
                accumulators[d + 1] = accumulators[d + 1].addingProduct(softplus0 - y0 * z0, m0)
                    .addingProduct(softplus1 - y1 * z1, m1)
                    .addingProduct(softplus2 - y2 * z2, m2)
                    .addingProduct(softplus3 - y3 * z3, m3)
                accumulators[d + 2] = accumulators[d + 2] + m0 + m1 + m2 + m3
                accumulators[d] = accumulators[d] + r0 + r1 + r2 + r3
                for j in 0..<d {
                    accumulators[j] = accumulators[j].addingProduct(row0[j], r0).addingProduct(row1[j], r1)
                        .addingProduct(row2[j], r2).addingProduct(row3[j], r3)
                }
                block += 4
            }
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
