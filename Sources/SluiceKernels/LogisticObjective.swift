import Dispatch

/// The logistic loss and its gradient in one pass over ``BlockedRows``.
///
/// Rows are cut into a fixed number of chunks (independent of the number of
/// threads); each chunk sums into its own slot, in Float for 16 blocks and
/// then in Double; the slots are added in chunk order. So the result is the
/// same bits whether one thread or many ran the chunks, in whatever order.
public struct LogisticObjective: @unchecked Sendable {
    typealias V = SIMD8<Float>
    public let rows: BlockedRows
    /// scikit-learn's C (inverse L2 strength; the intercept is not penalized).
    public let c: Double
    /// Chunks the rows are cut into.
    public let chunkCount: Int
    /// Threads used (1 = the calling thread only).
    public let threads: Int

    public init(rows: BlockedRows, c: Double, threads: Int) {
        self.rows = rows
        self.c = c
        self.threads = max(1, threads)
        chunkCount = min(64, max(1, rows.blockCount / 64))
    }

    /// Objective and gradient at `parameters` (weights, then the intercept):
    /// F = (1/n) Σ [softplus(zᵢ) − yᵢ zᵢ] + ‖w‖² / (2 C n).
    public func evaluate(_ parameters: [Double]) -> (Double, [Double]) {
        let d = rows.featureCount
        let slot = d + 2   // gradient, intercept gradient, loss
        var partials = [Double](repeating: 0, count: chunkCount * slot)
        let weights = (0..<d).map { V(repeating: Float(parameters[$0])) }
        let intercept = Float(parameters[d])
        partials.withUnsafeMutableBufferPointer { partials in
            let out = UnsafeSendable(partials.baseAddress!)
            weights.withUnsafeBufferPointer { weights in
                let w = UnsafeSendable(UnsafeMutablePointer(mutating: weights.baseAddress!))
                let work: @Sendable (Int) -> Void = { chunk in
                    let first = rows.blockCount * chunk / chunkCount
                    let last = rows.blockCount * (chunk + 1) / chunkCount
                    sweep(blocks: first..<last, weights: w.pointer, intercept: intercept,
                          into: out.pointer + chunk * slot)
                }
                if threads == 1 || chunkCount == 1 {
                    for chunk in 0..<chunkCount { work(chunk) }
                } else {
                    DispatchQueue.concurrentPerform(iterations: chunkCount, execute: work)
                }
            }
        }
        var gradient = [Double](repeating: 0, count: d + 1)
        var loss = 0.0
        for chunk in 0..<chunkCount {
            for j in 0...d { gradient[j] += partials[chunk * slot + j] }
            loss += partials[chunk * slot + d + 1]
        }
        let n = Double(max(rows.rowCount, 1))
        let penalty = 1 / (c * n)
        var value = loss / n
        for j in 0..<d {
            value += 0.5 * penalty * parameters[j] * parameters[j]
            gradient[j] = gradient[j] / n + penalty * parameters[j]
        }
        gradient[d] /= n
        return (value, gradient)
    }

    /// One chunk: forward, loss, residual and backward for each block, in one pass.
    @inline(__always)
    func sweep(blocks: Range<Int>, weights: UnsafeMutablePointer<V>, intercept: Float,
               into out: UnsafeMutablePointer<Double>) {
        let d = rows.featureCount
        // Small feature counts keep the accumulators on the stack.
        withUnsafeTemporaryAllocation(of: V.self, capacity: d + 2) { buffer in
            sweep(blocks: blocks, weights: weights, intercept: intercept, into: out, accumulators: buffer.baseAddress!)
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
            accumulators.initialize(repeating: V(), count: d + 2)
            let end = min(block + 16, blocks.upperBound)
            while block < end {
                let row = x + block * d
                var z = V(repeating: intercept)
                for j in 0..<d { z = z.addingProduct(row[j], weights[j]) }
                let y = rows.labels[block], m = rows.mask[block]
                let (sigmoid, softplus) = SIMDMath.sigmoidAndSoftplus(z)
                let residual = (sigmoid - y) * m
                accumulators[d + 1] = accumulators[d + 1].addingProduct(softplus - y * z, m)
                accumulators[d] += residual
                for j in 0..<d { accumulators[j] = accumulators[j].addingProduct(row[j], residual) }
                block += 1
            }
            for j in 0..<(d + 2) {
                let lanes = accumulators[j]
                var total = 0.0
                for lane in 0..<8 { total += Double(lanes[lane]) }
                out[j] += total
            }
        }
    }
}

/// A pointer handed to concurrent chunks; each chunk writes only its own slot.
struct UnsafeSendable<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
