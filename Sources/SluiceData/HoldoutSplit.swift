/// The host's train/holdout split: deterministic for a seed, stratified by the
/// target so each class keeps its share in both parts.
public enum HoldoutSplit {
    /// Row roles (0 = train, 1 = holdout) for rows grouped into `strata`
    /// (e.g. target class codes; any Int key works). Within each stratum the
    /// rows are shuffled with a SplitMix64 stream from `seed`, and the first
    /// `round(fraction × count)` become holdout; a stratum of two or more rows
    /// always keeps at least one row on each side.
    public static func roles(strata: [Int], fraction: Double, seed: UInt64) -> [UInt8] {
        var roles = [UInt8](repeating: 0, count: strata.count)
        // Rows by stratum, in row order. Strata are small numbers (class codes),
        // so they index an array; a dictionary only for anything else.
        let smallRange = -1...1023
        var groups: [Int: [Int]] = [:]
        if let low = strata.min(), let high = strata.max(), smallRange.contains(low), smallRange.contains(high) {
            var counts = [Int](repeating: 0, count: high - low + 1)
            for stratum in strata { counts[stratum - low] += 1 }
            var byIndex = counts.map { count -> [Int] in
                var rows: [Int] = []
                rows.reserveCapacity(count)
                return rows
            }
            for (row, stratum) in strata.enumerated() { byIndex[stratum - low].append(row) }
            for (index, rows) in byIndex.enumerated() where !rows.isEmpty { groups[index + low] = rows }
        } else {
            for (row, stratum) in strata.enumerated() { groups[stratum, default: []].append(row) }
        }
        var generator = SplitMix64(seed: seed)
        for key in groups.keys.sorted() {
            var rows = groups.removeValue(forKey: key)!
            // Fisher–Yates with the seeded generator.
            if rows.count > 1 {
                for index in stride(from: rows.count - 1, to: 0, by: -1) {
                    let other = Int(generator.next() % UInt64(index + 1))
                    rows.swapAt(index, other)
                }
            }
            var take = Int((fraction * Double(rows.count)).rounded())
            if rows.count >= 2 { take = min(max(take, 1), rows.count - 1) }
            for row in rows.prefix(take) { roles[row] = 1 }
        }
        return roles
    }

    /// Strata for a table's target column: class codes for a categorical
    /// target, distinct values for a numeric target with few values, a single
    /// stratum otherwise (or when the target is absent).
    public static func strata(for table: Table, target: String) -> [Int] {
        guard let column = table[target] else { return [Int](repeating: 0, count: table.rowCount) }
        switch column.values {
        case .categorical(let storage):
            return storage.codes.map { Int($0) }
        case .numeric(let storage):
            // Up to 20 distinct values, found by comparing with those seen so far.
            var distinct: [Float] = []
            for value in storage.values where !value.isNaN && !distinct.contains(value) {
                distinct.append(value)
                if distinct.count > 20 { return [Int](repeating: 0, count: table.rowCount) }
            }
            let order = distinct.sorted()
            return storage.values.map { $0.isNaN ? -1 : order.firstIndex(of: $0)! }
        }
    }
}

/// SplitMix64: a tiny, well-mixed, portable PRNG; the same seed gives the
/// same stream on every platform and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
