/// The (weighted) squared error, ℓ = ½(w·x + b − y)², and its gradient in one pass:
///
///     F = (1/2W) Σ wᵢ rᵢ² + α‖w‖² / (2W)
///
/// — scikit-learn's `Ridge(alpha=α)` objective ‖r‖² + α‖w‖² divided by 2W, so
/// both have the same minimizer. Parameters: d weights, then the intercept.
public struct SquaredObjective: BlockObjective, @unchecked Sendable {
    typealias V = SIMD8<Float>
    public let rows: BlockedRows
    public let alpha: Double
    public let threads: Int
    public var parameterCount: Int { rows.featureCount + 1 }
    public var penalizedCount: Int { rows.featureCount }
    public var l2: Double { alpha / max(rows.weightSum, .leastNormalMagnitude) }

    public init(rows: BlockedRows, alpha: Double, threads: Int) {
        self.rows = rows
        self.alpha = alpha
        self.threads = max(1, threads)
    }

    public func sweep(blocks: Range<Int>, parameters: [Float], into out: UnsafeMutablePointer<Double>) {
        let d = rows.featureCount
        withUnsafeTemporaryAllocation(of: V.self, capacity: 2 * d + 3) { buffer in
            let weights = buffer.baseAddress!
            for j in 0..<d { weights[j] = V(repeating: parameters[j]) }
            let intercept = parameters[d]
            let accumulators = weights + d
            let x = rows.values.baseAddress!
            var block = blocks.lowerBound
            while block < blocks.upperBound {
                accumulators.initialize(repeating: V(), count: d + 3)
                let end = min(block + 16, blocks.upperBound)
                while block < end {
                    let row = x + block * d
                    let z = SIMDMath.dot(row, weights, count: d, plus: intercept)
                    let m = rows.mask[block]
                    let error = z - rows.labels[block]
                    let residual = error * m
                    accumulators[d + 1] = accumulators[d + 1].addingProduct(residual * error, V(repeating: 0.5))
                    accumulators[d + 2] += m
                    accumulators[d] += residual
                    for j in 0..<d { accumulators[j] = accumulators[j].addingProduct(row[j], residual) }
                    block += 1
                }
                ChunkedPass.flush(accumulators, count: d + 3, into: out)
            }
        }
    }
}
