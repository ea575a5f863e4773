import Foundation
import SluicePluginSDK
import SluiceFormats

/// The findings of one run, with each kind's default severity (overridable by `severity.<kind>`).
struct Findings {
    let context: StageContext
    private(set) var items: [Finding] = []

    init(context: StageContext) { self.context = context }

    /// Default severities; kinds not listed are errors.
    static let defaultSeverity: [String: String] = [
        "unexpected_column": "warning", "constant_column": "warning", "duplicate_rows": "warning",
        "out_of_range": "warning", "unseen_category": "warning", "drift": "warning",
    ]

    mutating func add(_ kind: String, column: String?, severity: String? = nil, measured: String? = nil,
                      expected: String? = nil, count: Int? = nil, examples: String? = nil, message: String) {
        let configured = context.param("severity.\(kind)")
        let level = configured.flatMap { ["error", "warning"].contains($0) ? $0 : nil }
            ?? severity ?? Self.defaultSeverity[kind] ?? "error"
        items.append(Finding(kind: kind, severity: level, column: column, measured: measured, expected: expected,
                             count: count, examples: examples, message: message))
    }
}

enum DriftMeasures {
    /// Population stability index: sum of (a - e) ln(a / e) over bins, shares floored at 1e-4.
    static func psi(expected: [Double], actual: [Double]) -> Double {
        var total = 0.0
        for (e, a) in zip(expected, actual) {
            let e = Swift.max(e, 1e-4), a = Swift.max(a, 1e-4)
            total += (a - e) * log(a / e)
        }
        return total
    }

    /// Jensen-Shannon distance (the square root of the divergence, log base 2, in [0, 1]).
    static func jensenShannonDistance(_ p: [String: Double], _ q: [String: Double]) -> Double {
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
}
