/// The weighted Gram matrix of [x, 1, y] in one pass over ``BlockedRows``:
/// everything the closed-form ridge solution and coordinate descent need.
///
/// Features are shifted by `shift` (the first rows' mean) before the products
/// so Float accumulation does not cancel when a column's mean is large
/// against its spread; ``GramPass/Result`` undoes the shift exactly.
public enum GramPass {
    public typealias V = SIMD8<Float>

    /// Sums over the rows, with a = [x − shift, 1, y] (length d + 2):
    /// `products[i][j]` = Σ wᵢ aᵢ aⱼ (symmetric; Double).
    public struct Result: Sendable {
        public let featureCount: Int
        public let shift: [Double]
        /// (d + 2) × (d + 2), row-major.
        public let products: [Double]

        public func at(_ i: Int, _ j: Int) -> Double { products[i * (featureCount + 2) + j] }
        public var weightSum: Double { at(featureCount, featureCount) }
    }

    public static func run(_ rows: BlockedRows, threads: Int) -> Result {
        let d = rows.featureCount
        let a = d + 2
        // The shift: the mean of the first ≤ 1024 real rows of each feature.
        var shift = [Double](repeating: 0, count: d)
        let sampleBlocks = min(rows.blockCount, 128)
        var sampleWeight = 0.0
        for block in 0..<sampleBlocks {
            for lane in 0..<8 where rows.mask[block][lane] != 0 {
                sampleWeight += 1
                for j in 0..<d { shift[j] += Double(rows.values[block * d + j][lane]) }
            }
        }
        if sampleWeight > 0 { shift = shift.map { $0 / sampleWeight } }
        let floatShift = shift.map { Float($0) }
        // Upper triangle, row by row: (i, j ≥ i).
        let triangle = a * (a + 1) / 2
        let sums = ChunkedPass.run(blocks: 0..<rows.blockCount, threads: threads, width: triangle) { range, out in
            sweep(rows, blocks: range, shift: floatShift, into: out)
        }
        var products = [Double](repeating: 0, count: a * a)
        var index = 0
        for i in 0..<a {
            for j in i..<a {
                products[i * a + j] = sums[index]
                products[j * a + i] = sums[index]
                index += 1
            }
        }
        return Result(featureCount: d, shift: shift, products: products)
    }

    static func sweep(_ rows: BlockedRows, blocks: Range<Int>, shift: [Float], into out: UnsafeMutablePointer<Double>) {
        let d = rows.featureCount
        let a = d + 2
        let triangle = a * (a + 1) / 2
        withUnsafeTemporaryAllocation(of: V.self, capacity: triangle + 2 * a) { buffer in
            let accumulators = buffer.baseAddress!
            let augmented = accumulators + triangle      // a = [x − shift, 1, y]
            let weighted = augmented + a                 // w·a
            let x = rows.values.baseAddress!
            var block = blocks.lowerBound
            while block < blocks.upperBound {
                accumulators.initialize(repeating: V(), count: triangle)
                // Float sums over at most 64 blocks (512 rows), then Double.
                let end = min(block + 64, blocks.upperBound)
                while block < end {
                    let row = x + block * d
                    let m = rows.mask[block]
                    // Padding rows have weight 0, so `weighted` removes them from every product.
                    for j in 0..<d { augmented[j] = row[j] - V(repeating: shift[j]) }
                    augmented[d] = V(repeating: 1)
                    augmented[d + 1] = rows.labels[block]
                    for j in 0..<a { weighted[j] = augmented[j] * m }
                    var index = 0
                    for i in 0..<a {
                        let left = weighted[i]
                        for j in i..<a {
                            accumulators[index] = accumulators[index].addingProduct(left, augmented[j])
                            index += 1
                        }
                    }
                    block += 1
                }
                ChunkedPass.flush(accumulators, count: triangle, into: out)
            }
        }
    }
}
