import Foundation
import SluiceML
import SluicePluginSDK
import SluiceFormats

enum Profiler {
    /// Rows used for quantiles and bins: a fixed stride over the drop, so the
    /// same drop always gives the same profile.
    static let sampleSize = DriftMeasures.sampleSize
    static let maxCategories = 1000

    static func profile(_ context: StageContext) -> Profile {
        let rows = context.rowCount
        let stride = Swift.max(1, rows / sampleSize)
        let all = context.columns
        // Numeric columns are profiled on all cores (each reads only its own column).
        let numeric = all.enumerated().filter { $0.element.type == .numeric }
        let inputs = numeric.map { (name: $0.element.name, values: UncheckedSendable(context.numeric($0.element))) }
        let profiled = concurrentMap(inputs.count) {
            numericProfile(name: inputs[$0].name, values: inputs[$0].values.value, rows: rows, stride: stride)
        }
        let byPosition = Dictionary(uniqueKeysWithValues: zip(numeric.map(\.offset), profiled))
        var columns: [ColumnProfile] = []
        for (position, column) in all.enumerated() {
            switch column.type {
            case .numeric:
                columns.append(byPosition[position]!)
            case .categorical:
                let codes = context.codes(column)
                let dictionary = context.dictionary(column)
                var counts = [Int](repeating: 0, count: dictionary.count)
                var missing = 0
                for code in codes { if code < 0 { missing += 1 } else { counts[Int(code)] += 1 } }
                let present = rows - missing
                let ranked = counts.indices.filter { counts[$0] > 0 }.sorted { counts[$0] > counts[$1] }
                var categories: [String: Double] = [:]
                for index in ranked.prefix(maxCategories) {
                    categories[dictionary[index]] = Double(counts[index]) / Double(Swift.max(present, 1))
                }
                columns.append(ColumnProfile(
                    name: column.name, type: "categorical", nullRate: rows > 0 ? Double(missing) / Double(rows) : 0,
                    min: nil, max: nil, distinct: ranked.count, edges: nil, binFractions: nil,
                    categories: categories, categoriesComplete: ranked.count <= maxCategories))
            }
        }
        return Profile(rows: rows, duplicateRows: duplicateRows(context), columns: columns)
    }

    /// A numeric column's null rate, range, and (on the sample) distinct count, decile edges and bin shares.
    static func numericProfile(name: String, values: UnsafeBufferPointer<Float>, rows: Int, stride: Int) -> ColumnProfile {
        let summarized = summary(values)
        let missing = summarized.missing
        var low = summarized.low, high = summarized.high
        if !low.isFinite || !high.isFinite {
            // ±inf present (validate reports them): the range is that of the finite values.
            let finite = values.filter(\.isFinite)
            low = finite.min() ?? .nan
            high = finite.max() ?? .nan
        }
        var sample: [Float] = []
        sample.reserveCapacity(rows / stride + 1)
        var row = 0
        while row < rows {
            if values[row].isFinite { sample.append(values[row]) }
            row += stride
        }
        FloatSort.sortAscending(&sample)
        var distinct = 0
        for index in sample.indices where index == 0 || sample[index] != sample[index - 1] { distinct += 1 }
        let edges = sample.isEmpty ? [] : (1..<10).map { Double(sample[Swift.min(sample.count - 1, sample.count * $0 / 10)]) }
        return ColumnProfile(
            name: name, type: "numeric", nullRate: rows > 0 ? Double(missing) / Double(rows) : 0,
            min: low.isFinite ? Double(low) : nil, max: high.isFinite ? Double(high) : nil,
            distinct: distinct, edges: edges, binFractions: binFractions(sample, edges: edges),
            categories: nil, categoriesComplete: nil)
    }

    /// Missing (NaN) count, minimum and maximum of the present values, eight
    /// lanes at a time: NaN lanes compare false, so they never become a bound.
    /// (The scalar loop, with its branch per value, did not vectorize.)
    static func summary(_ values: UnsafeBufferPointer<Float>) -> (missing: Int, low: Float, high: Float) {
        var missing = 0
        var low = Float.infinity, high = -Float.infinity
        var index = 0
        if let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= values.count {
                // Int32 lane counts, added up every 2^20 values.
                let stop = Swift.min(values.count & ~7, index + (1 << 20))
                var lows = SIMD8<Float>(repeating: .infinity), highs = SIMD8<Float>(repeating: -.infinity)
                var nans = SIMD8<Int32>()
                while index < stop {
                    let v = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                    nans = nans.replacing(with: nans &+ 1, where: v .!= v)
                    lows = lows.replacing(with: v, where: v .< lows)
                    highs = highs.replacing(with: v, where: v .> highs)
                    index += 8
                }
                missing += Int(nans.wrappedSum())
                low = Swift.min(low, lows.min()); high = Swift.max(high, highs.max())
            }
        }
        while index < values.count {
            let value = values[index]
            index += 1
            if value.isNaN { missing += 1; continue }
            low = Swift.min(low, value); high = Swift.max(high, value)
        }
        return (missing, low, high)
    }

    /// Share of sorted values in each bin: (-inf, e0], (e0, e1], ..., (e8, +inf).
    static func binFractions(_ sorted: [Float], edges: [Double]) -> [Double] {
        guard !sorted.isEmpty else { return [] }
        var counts = [Int](repeating: 0, count: edges.count + 1)
        var bin = 0
        for value in sorted {
            while bin < edges.count, Double(value) > edges[bin] { bin += 1 }
            counts[bin] += 1
        }
        return counts.map { Double($0) / Double(sorted.count) }
    }

    /// Share in each bin of unsorted values (for a drop scored against reference edges).
    static func binFractions(_ values: UnsafeBufferPointer<Float>, edges: [Double], stride: Int) -> [Double] {
        DriftMeasures.binFractions(values, edges: edges, stride: stride)
    }

    /// Rows that repeat an earlier row exactly (all columns), by a 64-bit row hash.
    /// Both halves run on all cores: rows are hashed in tiles (a tile's hashes
    /// stay in L1 while every column is mixed in), then the hashes are counted
    /// in 4 partitions of the hash space, each with its own table.
    static func duplicateRows(_ context: StageContext) -> Int {
        let rows = context.rowCount
        guard rows > 1 else { return 0 }
        enum Source { case numeric(UnsafeBufferPointer<Float>), codes(UnsafeBufferPointer<Int32>) }
        let sources = UncheckedSendable(context.columns.map { column -> Source in
            column.type == .numeric ? .numeric(context.numeric(column)) : .codes(context.codes(column))
        })
        let hashes = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: rows)
        defer { hashes.deallocate() }
        let shared = UncheckedSendable(hashes)
        let tile = 4096
        DispatchQueue.concurrentPerform(iterations: (rows + tile - 1) / tile) { index in
            let hashes = shared.value, low = index * tile, high = Swift.min(rows, low + tile)
            for row in low..<high { hashes[row] = 0xcbf29ce484222325 }
            for source in sources.value {
                switch source {
                case .numeric(let values):
                    for row in low..<high { hashes[row] = mix(hashes[row], UInt64(values[row].bitPattern)) }
                case .codes(let codes):
                    for row in low..<high { hashes[row] = mix(hashes[row], UInt64(UInt32(bitPattern: codes[row]))) }
                }
            }
        }
        // Open addressing on the (already mixed) hashes themselves: a Set would
        // hash each one again; 0 marks an empty slot, so a hash of 0 counts as 1.
        // A partition is chosen by the top 2 bits, a slot by the low ones.
        let partitions = 4
        let counts = concurrentMap(partitions) { part -> Int in
            let hashes = UnsafeBufferPointer(shared.value)
            var members = 0
            for hash in hashes where Int(hash >> 62) == part { members += 1 }
            var capacity = 16
            while capacity < 2 * members { capacity <<= 1 }
            let mask = capacity - 1
            var duplicates = 0
            var table = [UInt64](repeating: 0, count: capacity)
            table.withUnsafeMutableBufferPointer { table in
                for hash in hashes where Int(hash >> 62) == part {
                    let key = hash == 0 ? 1 : hash
                    var slot = Int(truncatingIfNeeded: key) & mask
                    while true {
                        let found = table[slot]
                        if found == 0 { table[slot] = key; break }
                        if found == key { duplicates += 1; break }
                        slot = (slot + 1) & mask
                    }
                }
            }
            return duplicates
        }
        return counts.reduce(0, +)
    }

    @inline(__always)
    static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        var h = (hash ^ value) &* 0x100000001b3
        h ^= h >> 31
        return h &* 0x9E3779B97F4A7C15
    }
}
