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
        let group = 64
        // Blocks go in groups of 64: each is prepared once ([x − shift, 1, y] and
        // its weighted copy, ~140 KB for the group, in L2), then the upper
        // triangle is swept in 3 × 4 tiles whose twelve sums stay in registers
        // across the group. Every sum still adds its products block by block in
        // order, as one block at a time would, so the bits do not change; what
        // changes is that an FMA no longer loads and stores its accumulator.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 2 * group * a) { buffer in
            let augmented = buffer.baseAddress!            // group × a: [x − shift, 1, y] per block
            let weighted = augmented + group * a            // group × a: w·a per block
            let x = rows.values.baseAddress!
            var block = blocks.lowerBound
            while block < blocks.upperBound {
                // Float sums over at most 64 blocks (512 rows), then Double.
                let count = min(group, blocks.upperBound - block)
                for slot in 0..<count {
                    let row = x + (block + slot) * d
                    let m = rows.mask[block + slot]
                    let aug = augmented + slot * a, wei = weighted + slot * a
                    // Padding rows have weight 0, so `weighted` removes them from every product.
                    for j in 0..<d { aug[j] = row[j] - V(repeating: shift[j]) }
                    aug[d] = V(repeating: 1)
                    aug[d + 1] = rows.labels[block + slot]
                    for j in 0..<a { wei[j] = aug[j] * m }
                }
                var i0 = 0
                while i0 < a {
                    // Rows past the end repeat the last one; their sums are not kept.
                    let i1 = min(i0 + 1, a - 1), i2 = min(i0 + 2, a - 1)
                    var j0 = i0
                    while j0 < a {
                        let j1 = min(j0 + 1, a - 1), j2 = min(j0 + 2, a - 1), j3 = min(j0 + 3, a - 1)
                        let tile = RegisterTile(left: UnsafeRawPointer(weighted), leftStride: a &* 32, i0, i1, i2,
                                                right: UnsafeRawPointer(augmented), rightStride: a &* 32, j0, j1, j2, j3,
                                                count: count)
                        // Upper-triangle positions (i, j ≥ i), as the result lays them out.
                        tile.forEach { sum, di, dj in
                            let i = i0 + di, j = j0 + dj
                            guard i < a, j < a, j >= i else { return }
                            ChunkedPass.flush(sum, into: out + i * a - i * (i - 1) / 2 + (j - i))
                        }
                        j0 += 4
                    }
                    i0 += 3
                }
                block += count
            }
        }
    }
}

/// A 3 × 4 register tile: the twelve sums Σₛ left[s][iᵣ] · right[s][j꜀] over
/// `count` slots (slot s of `left` at byte `s · leftStride`, of `right` at
/// `s · rightStride`), each added slot by slot in order. The Gram pass and the
/// softmax backward half use it so that an FMA does not load and store its
/// accumulator. Indices are vector positions within a slot. (It lives in this
/// file so that debug builds, which compile file by file, inline it here too.)
struct RegisterTile {
    typealias V = SIMD8<Float>
    var s00 = V(), s01 = V(), s02 = V(), s03 = V()
    var s10 = V(), s11 = V(), s12 = V(), s13 = V()
    var s20 = V(), s21 = V(), s22 = V(), s23 = V()

    @inline(__always)
    init(left: UnsafeRawPointer, leftStride: Int, _ i0: Int, _ i1: Int, _ i2: Int,
         right: UnsafeRawPointer, rightStride: Int, _ j0: Int, _ j1: Int, _ j2: Int, _ j3: Int, count: Int) {
        let l0Base = left + i0 &* 32, l1Base = left + i1 &* 32, l2Base = left + i2 &* 32
        let r0Base = right + j0 &* 32, r1Base = right + j1 &* 32, r2Base = right + j2 &* 32, r3Base = right + j3 &* 32
        var leftOffset = 0, rightOffset = 0
        for _ in 0..<count {
            let l0 = l0Base.load(fromByteOffset: leftOffset, as: V.self)
            let l1 = l1Base.load(fromByteOffset: leftOffset, as: V.self)
            let l2 = l2Base.load(fromByteOffset: leftOffset, as: V.self)
            var r = r0Base.load(fromByteOffset: rightOffset, as: V.self)
            s00 = s00.addingProduct(l0, r); s10 = s10.addingProduct(l1, r); s20 = s20.addingProduct(l2, r)
            r = r1Base.load(fromByteOffset: rightOffset, as: V.self)
            s01 = s01.addingProduct(l0, r); s11 = s11.addingProduct(l1, r); s21 = s21.addingProduct(l2, r)
            r = r2Base.load(fromByteOffset: rightOffset, as: V.self)
            s02 = s02.addingProduct(l0, r); s12 = s12.addingProduct(l1, r); s22 = s22.addingProduct(l2, r)
            r = r3Base.load(fromByteOffset: rightOffset, as: V.self)
            s03 = s03.addingProduct(l0, r); s13 = s13.addingProduct(l1, r); s23 = s23.addingProduct(l2, r)
            leftOffset &+= leftStride
            rightOffset &+= rightStride
        }
    }

    /// Hands each sum to `keep` with its offsets (0…2, 0…3) in the tile.
    @inline(__always)
    func forEach(_ keep: (V, Int, Int) -> Void) {
        keep(s00, 0, 0); keep(s01, 0, 1); keep(s02, 0, 2); keep(s03, 0, 3)
        keep(s10, 1, 0); keep(s11, 1, 1); keep(s12, 1, 2); keep(s13, 1, 3)
        keep(s20, 2, 0); keep(s21, 2, 1); keep(s22, 2, 2); keep(s23, 2, 3)
    }
}
