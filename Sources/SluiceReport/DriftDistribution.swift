import SluiceFormats

/// One drifted feature's distribution in the champion's training data and in
/// the drop: the profile's decile bins (numeric) or category shares (text).
/// Aggregates only, never rows.
public struct DriftDistribution: Codable, Sendable {
    public var column: String
    public var measure: String
    public var score: Double
    public var bins: [String]
    public var reference: [Double]
    public var current: [Double]

    /// The `count` most drifted features (score over threshold) whose profiles both sides have.
    static func mostDrifted(_ scores: [DriftScore], reference: Profile, current: Profile, count: Int = 3) -> [DriftDistribution] {
        scores.sorted { $0.score / max($0.threshold, 1e-12) > $1.score / max($1.threshold, 1e-12) }.compactMap { score in
            guard let base = reference.column(score.column), let now = current.column(score.column) else { return nil }
            if let expected = base.binFractions, let edges = base.edges, let actual = now.binFractions, actual.count == expected.count,
               now.edges == edges {
                let labels = (0..<expected.count).map { index in
                    index == 0 ? "≤\(short(edges[0]))" : index == edges.count ? ">\(short(edges[index - 1]))" : "≤\(short(edges[index]))"
                }
                return DriftDistribution(column: score.column, measure: score.measure, score: score.score, bins: labels,
                                         reference: expected, current: actual)
            }
            if let expected = base.categories, let actual = now.categories {
                let names = Array(Set(expected.keys).union(actual.keys).sorted { (expected[$0] ?? 0) > (expected[$1] ?? 0) }.prefix(8))
                return DriftDistribution(column: score.column, measure: score.measure, score: score.score, bins: names,
                                         reference: names.map { expected[$0] ?? 0 }, current: names.map { actual[$0] ?? 0 })
            }
            return nil
        }.prefix(count).map { $0 }
    }

    static func short(_ value: Double) -> String { String(format: "%.3g", value) }
}
