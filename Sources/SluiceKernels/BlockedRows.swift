import CSluiceLinux
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Training rows in blocks of 8 (one `SIMD8<Float>` per feature per block):
/// block b holds rows 8b…8b+7, feature-major, so the forward product X·w and
/// the backward product Xᵀ·r are both plain SIMD multiply-adds with no
/// horizontal sums, and one pass over the block (which stays in L1) does both.
/// The last block is padded with zero rows whose `mask` lane is 0.
public struct BlockedRows: @unchecked Sendable {
    public typealias V = SIMD8<Float>
    public let rowCount: Int
    public let featureCount: Int
    public let blockCount: Int
    /// `blockCount × featureCount` vectors: block b, feature j at `b * featureCount + j`.
    public let values: UnsafeMutableBufferPointer<V>
    /// Labels (0/1 or regression targets), one vector per block.
    public let labels: UnsafeMutableBufferPointer<V>
    /// Each row's weight (1 unless sample or class weights are given), 0 for padding.
    public let mask: UnsafeMutableBufferPointer<V>
    /// Σ of the row weights (the row count when unweighted).
    public let weightSum: Double
    private let owner: Storage

    final class Storage: @unchecked Sendable {
        let pointers: [UnsafeMutableBufferPointer<V>]
        init(_ pointers: [UnsafeMutableBufferPointer<V>]) { self.pointers = pointers }
        deinit { pointers.forEach { free($0.baseAddress) } }
    }

    /// Huge-page-backed memory for the matrix (faulted in 2 MiB at a time).
    static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<V> {
        let bytes = max(count, 1) * MemoryLayout<V>.stride
        guard let memory = sluice_alloc_large(bytes) else { fatalError("out of memory for \(bytes) bytes") }
        return UnsafeMutableBufferPointer(start: memory.bindMemory(to: V.self, capacity: max(count, 1)), count: max(count, 1))
    }

    /// Gathers `rows` of `columns` (NaN becomes 0: impute before training) with
    /// their labels (0/1, a class index, or a regression target) and optional
    /// per-row weights (one per entry of `rows`; scikit-learn's `sample_weight`).
    public init(columns: [UnsafeBufferPointer<Float>], rows: [Int], labels y: [Float], weights: [Float]? = nil) {
        precondition(rows.count == y.count, "one label per row")
        precondition(weights == nil || weights!.count == rows.count, "one weight per row")
        rowCount = rows.count
        weightSum = weights.map { $0.reduce(0.0) { $0 + Double($1) } } ?? Double(rows.count)
        featureCount = columns.count
        blockCount = (rows.count + 7) / 8
        values = Self.allocate(blockCount * featureCount)
        // Only the partial last block needs zeros first; the gather below writes every whole block.
        (values.baseAddress! + (rows.count / 8) * featureCount)
            .initialize(repeating: V(), count: (blockCount - rows.count / 8) * featureCount)
        labels = Self.allocate(blockCount)
        labels.initialize(repeating: V())
        mask = Self.allocate(blockCount)
        mask.initialize(repeating: V())
        owner = Storage([values, labels, mask])
        // Whole blocks: 8 gathered values become one vector per feature.
        let full = rows.count / 8
        // Block-outer so the writes are sequential; 8 reads from each column.
        // Chunks of blocks on all cores (each writes only its own blocks).
        let sources = UnsafeSendable(UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: max(columns.count, 1)))
        defer { sources.pointer.deallocate() }
        for (j, column) in columns.enumerated() { sources.pointer[j] = column.baseAddress! }
        let out = UnsafeSendable(values.baseAddress!)
        let d = featureCount
        rows.withUnsafeBufferPointer { rows in
            let rowIndex = UnsafeSendable(UnsafeMutablePointer(mutating: rows.baseAddress!))
            let chunks = min(64, max(1, full / 256))
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let sources = sources.pointer, r0 = rowIndex.pointer
                for block in (full * chunk / chunks)..<(full * (chunk + 1) / chunks) {
                    let r = r0 + block * 8
                    let target = out.pointer + block * d
                    for j in 0..<d {
                        let source = sources[j]
                        let v = V(source[r[0]], source[r[1]], source[r[2]], source[r[3]],
                                  source[r[4]], source[r[5]], source[r[6]], source[r[7]])
                        target[j] = v.replacing(with: 0, where: v .!= v)   // NaN → 0
                    }
                }
            }
        }
        for block in 0..<full {
            labels[block] = V(y[block * 8], y[block * 8 + 1], y[block * 8 + 2], y[block * 8 + 3],
                              y[block * 8 + 4], y[block * 8 + 5], y[block * 8 + 6], y[block * 8 + 7])
            if let w = weights {
                mask[block] = V(w[block * 8], w[block * 8 + 1], w[block * 8 + 2], w[block * 8 + 3],
                                w[block * 8 + 4], w[block * 8 + 5], w[block * 8 + 6], w[block * 8 + 7])
            } else {
                mask[block] = V(repeating: 1)
            }
        }
        // The last, partial block lane by lane.
        for i in (full * 8)..<rows.count {
            let block = i / 8, lane = i % 8
            for (j, column) in columns.enumerated() {
                let value = column[rows[i]]
                values[block * featureCount + j][lane] = value.isNaN ? 0 : value
            }
            labels[block][lane] = y[i]
            mask[block][lane] = weights?[i] ?? 1
        }
    }

    /// Sum of the labels (for the intercept's starting value).
    public var labelSum: Double {
        var total = 0.0
        for block in 0..<blockCount { for lane in 0..<8 { total += Double(labels[block][lane]) } }
        return total
    }
}
