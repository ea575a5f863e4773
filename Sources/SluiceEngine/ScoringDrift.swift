import SluiceConfig
import SluiceData
import SluiceFormats

/// Drift of a scoring drop against the champion's training profile, per
/// feature, with the thresholds the pipeline's validate stage uses
/// (`psi_threshold`, `js_threshold`, per column `psi_threshold.<column>`;
/// `max_drifted_share`, default 0.3, for the drop as a whole).
struct ScoringDrift: Codable {
    var scores: [DriftScore]
    var driftedShare: Double
    var maxDriftedShare: Double

    var exceeded: Bool { driftedShare > maxDriftedShare }

    init(table: Table, reference: Profile, pipeline: PipelineConfiguration) {
        let params = pipeline.stages.first { $0.plugin == "validate" }?.params ?? [:]
        func number(_ key: String, _ fallback: Double) -> Double { params[key].flatMap(Double.init) ?? fallback }
        let psiDefault = number("psi_threshold", 0.2), jsDefault = number("js_threshold", 0.1)
        let stride = DriftMeasures.stride(rows: table.rowCount)
        var scores: [DriftScore] = []
        for column in table.columns where column.name != pipeline.target && column.name != pipeline.monitoring.idColumn {
            guard let base = reference.column(column.name) else { continue }
            switch column.values {
            case .numeric(let storage):
                guard base.type == "numeric", let edges = base.edges, let expected = base.binFractions, !expected.isEmpty else { continue }
                let actual = DriftMeasures.binFractions(UnsafeBufferPointer(storage.values), edges: edges, stride: stride)
                guard !actual.isEmpty else { continue }
                let threshold = number("psi_threshold.\(column.name)", psiDefault)
                let score = DriftMeasures.psi(expected: expected, actual: actual)
                scores.append(DriftScore(column: column.name, measure: "psi", score: score, threshold: threshold, drifted: score > threshold))
            case .categorical(let storage):
                guard base.type == "categorical", let expected = base.categories else { continue }
                var counts: [String: Double] = [:]
                var present = 0.0
                for row in 0..<table.rowCount {
                    guard let value = storage.value(at: row) else { continue }
                    counts[value, default: 0] += 1
                    present += 1
                }
                guard present > 0 else { continue }
                let threshold = number("js_threshold.\(column.name)", jsDefault)
                let score = DriftMeasures.jensenShannonDistance(expected, counts.mapValues { $0 / present })
                scores.append(DriftScore(column: column.name, measure: "js", score: score, threshold: threshold, drifted: score > threshold))
            }
        }
        self.scores = scores
        driftedShare = scores.isEmpty ? 0 : Double(scores.filter(\.drifted).count) / Double(scores.count)
        maxDriftedShare = number("max_drifted_share", 0.3)
    }

    /// The drifted features, in words.
    var text: String {
        let drifted = scores.filter(\.drifted).map { "\($0.column) \($0.measure) \(String(format: "%.3g", $0.score)) > \($0.threshold)" }
        return "\(Int((driftedShare * 100).rounded()))% of features drifted from the champion's training data"
            + (drifted.isEmpty ? "" : " (\(drifted.joined(separator: ", ")))")
    }
}
