import Dispatch

/// A smooth training objective over ``BlockedRows``, of the form
///
///     F(θ) = (1/W) Σᵢ wᵢ·ℓ(θ; xᵢ, yᵢ) + (λ/2)·‖θ[0..<penalizedCount]‖²,   W = Σᵢ wᵢ
///
/// Parameters are laid out weights first (all penalized), intercepts last
/// (never penalized). The data term comes from one fused SIMD pass per block
/// (``sweep(blocks:parameters:into:)``); ``evaluate(_:)`` sums it over all
/// rows, ``evaluate(_:blocks:)`` over a range of blocks (a minibatch), always
/// in fixed chunks added in chunk order, so the result is the same bits on
/// any number of threads.
public protocol BlockObjective: Sendable {
    var rows: BlockedRows { get }
    /// Number of parameters (weights, then intercepts).
    var parameterCount: Int { get }
    /// The leading parameters that carry the L2 penalty.
    var penalizedCount: Int { get }
    /// λ: the full objective's L2 strength (already divided by W).
    var l2: Double { get }
    /// Threads for full passes (1 = the calling thread only).
    var threads: Int { get }
    /// Adds Σ wᵢℓᵢ, Σ wᵢ∇ℓᵢ and Σ wᵢ over `blocks` into `out`
    /// (`parameterCount` gradient entries, then the loss, then the weight).
    func sweep(blocks: Range<Int>, parameters: [Float], into out: UnsafeMutablePointer<Double>)
}

extension BlockObjective {
    /// F and ∇F on every row.
    public func evaluate(_ parameters: [Double]) -> (Double, [Double]) {
        evaluate(parameters, blocks: 0..<rows.blockCount, threads: threads)
    }

    /// The minibatch estimate of F and ∇F on `blocks`: their weighted mean
    /// loss plus the full penalty.
    public func evaluate(_ parameters: [Double], blocks: Range<Int>, threads: Int = 1) -> (Double, [Double]) {
        let p = parameterCount
        let floats = parameters.map { Float($0) }
        let sums = ChunkedPass.run(blocks: blocks, threads: threads, width: p + 2) { range, out in
            sweep(blocks: range, parameters: floats, into: out)
        }
        let weight = max(sums[p + 1], .leastNormalMagnitude)
        var value = sums[p] / weight
        var gradient = [Double](repeating: 0, count: p)
        for j in 0..<p { gradient[j] = sums[j] / weight }
        for j in 0..<penalizedCount {
            value += 0.5 * l2 * parameters[j] * parameters[j]
            gradient[j] += l2 * parameters[j]
        }
        return (value, gradient)
    }
}

/// Runs a sweep over a range of blocks cut into a fixed number of chunks
/// (a function of the range only), each summing into its own slot; the
/// slots are added in chunk order. Same bits for any thread count.
public enum ChunkedPass {
    public static func chunkCount(blocks: Int) -> Int { min(64, max(1, blocks / 64)) }

    public static func run(blocks: Range<Int>, threads: Int, width: Int,
                           sweep: @Sendable (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let chunks = chunkCount(blocks: blocks.count)
        var partials = [Double](repeating: 0, count: chunks * width)
        withoutActuallyEscaping(sweep) { sweep in
            partials.withUnsafeMutableBufferPointer { partials in
                let out = UnsafeSendable(partials.baseAddress!)
                let work: @Sendable (Int) -> Void = { chunk in
                    let first = blocks.lowerBound + blocks.count * chunk / chunks
                    let last = blocks.lowerBound + blocks.count * (chunk + 1) / chunks
                    sweep(first..<last, out.pointer + chunk * width)
                }
                if threads <= 1 || chunks == 1 {
                    for chunk in 0..<chunks { work(chunk) }
                } else {
                    DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
                }
            }
        }
        var total = [Double](repeating: 0, count: width)
        for chunk in 0..<chunks {
            for j in 0..<width { total[j] += partials[chunk * width + j] }
        }
        return total
    }

    /// Adds the 8 lanes of each of `count` Float accumulators into Double slots:
    /// widened to Double four lanes at a time and summed pairwise (a fixed
    /// order, so the same bits on any thread count). Lane by lane, this was
    /// ~24 instructions per accumulator and a quarter of the pass's work.
    @inline(__always)
    static func flush(_ accumulators: UnsafeMutablePointer<SIMD8<Float>>, count: Int, into out: UnsafeMutablePointer<Double>) {
        for j in 0..<count { flush(accumulators[j], into: out + j) }
    }

    /// One accumulator's lanes into one Double slot (the order ``flush(_:count:into:)`` uses).
    @inline(__always)
    static func flush(_ lanes: SIMD8<Float>, into out: UnsafeMutablePointer<Double>) {
        let pair = SIMD4<Double>(lanes.lowHalf) + SIMD4<Double>(lanes.highHalf)
        let two = pair.lowHalf + pair.highHalf
        out.pointee += two[0] + two[1]
    }
}

/// A pointer handed to concurrent chunks; each chunk writes only its own slot.
struct UnsafeSendable<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
