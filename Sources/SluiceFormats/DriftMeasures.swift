import Foundation

/// How far data has moved from a reference profile: the population stability
/// index over the reference's bins for numeric columns, the Jensen-Shannon
/// distance between category shares for text ones. The validate stage (for
/// training drops) and the host (for scoring drops) both use these.
public enum DriftMeasures {
    /// Rows sampled at most per column (a stride is taken beyond it).
    public static let sampleSize = 100_000

    /// The sampling stride for `rows` rows.
    public static func stride(rows: Int) -> Int { Swift.max(1, rows / sampleSize) }

    /// Population stability index: sum of (a - e) ln(a / e) over bins, shares floored at 1e-4.
    public static func psi(expected: [Double], actual: [Double]) -> Double {
        var total = 0.0
        for (e, a) in zip(expected, actual) {
            let e = Swift.max(e, 1e-4), a = Swift.max(a, 1e-4)
            total += (a - e) * log(a / e)
        }
        return total
    }

    /// Jensen-Shannon distance (the square root of the divergence, log base 2, in [0, 1]).
    public static func jensenShannonDistance(_ p: [String: Double], _ q: [String: Double]) -> Double {
        // Sorted: a Dictionary's order changes from process to process, and a
        // sum in another order rounds differently; the score must not.
        let keys = Set(p.keys).union(q.keys).sorted()
        let pTotal = p.keys.sorted().reduce(0) { $0 + p[$1]! }, qTotal = q.keys.sorted().reduce(0) { $0 + q[$1]! }
        var divergence = 0.0
        for key in keys {
            let a = (p[key] ?? 0) / Swift.max(pTotal, 1e-300), b = (q[key] ?? 0) / Swift.max(qTotal, 1e-300)
            let m = (a + b) / 2
            if a > 0 { divergence += 0.5 * a * log2(a / m) }
            if b > 0 { divergence += 0.5 * b * log2(b / m) }
        }
        return Swift.max(0, divergence).squareRoot()
    }

    /// Share in each bin (`edges.count + 1` bins, upper edges inclusive) of unsorted values, every `stride`-th row.
    public static func binFractions(_ values: UnsafeBufferPointer<Float>, edges: [Double], stride: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        var total = 0
        var row = 0
        while row < values.count {
            let value = values[row]
            row += stride
            if value.isNaN { continue }
            var low = 0, high = edges.count
            while low < high {
                let middle = (low + high) / 2
                if Double(value) > edges[middle] { low = middle + 1 } else { high = middle }
            }
            counts[low] += 1
            total += 1
        }
        return total == 0 ? [] : counts.map { Double($0) / Double(total) }
    }
}
