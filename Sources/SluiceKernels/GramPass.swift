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
        // Four blocks at a time: each accumulator is loaded and stored once per
        // four FMAs (one per block), instead of once per FMA.
        withUnsafeTemporaryAllocation(of: V.self, capacity: triangle + 8 * a) { buffer in
            let accumulators = buffer.baseAddress!
            let augmented = accumulators + triangle      // 4 × a: [x − shift, 1, y] per block
            let weighted = augmented + 4 * a             // 4 × a: w·a per block
            let x = rows.values.baseAddress!
            @inline(__always) func prepare(_ block: Int, into slot: Int) {
                let row = x + block * d
                let m = rows.mask[block]
                let aug = augmented + slot * a, wei = weighted + slot * a
                // Padding rows have weight 0, so `weighted` removes them from every product.
                for j in 0..<d { aug[j] = row[j] - V(repeating: shift[j]) }
                aug[d] = V(repeating: 1)
                aug[d + 1] = rows.labels[block]
                for j in 0..<a { wei[j] = aug[j] * m }
            }
            var block = blocks.lowerBound
            while block < blocks.upperBound {
                accumulators.initialize(repeating: V(), count: triangle)
                // Float sums over at most 64 blocks (512 rows), then Double.
                let end = min(block + 64, blocks.upperBound)
                while block + 4 <= end {
                    for slot in 0..<4 { prepare(block + slot, into: slot) }
                    let a0 = augmented, a1 = augmented + a, a2 = augmented + 2 * a, a3 = augmented + 3 * a
                    var index = 0
                    for i in 0..<a {
                        let l0 = weighted[i], l1 = weighted[a + i], l2 = weighted[2 * a + i], l3 = weighted[3 * a + i]
                        for j in i..<a {
                            var sum = accumulators[index].addingProduct(l0, a0[j])
                            sum = sum.addingProduct(l1, a1[j])
                            sum = sum.addingProduct(l2, a2[j])
                            accumulators[index] = sum.addingProduct(l3, a3[j])
                            index += 1
                        }
                    }
                    block += 4
                }
                while block < end {
                    prepare(block, into: 0)
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
