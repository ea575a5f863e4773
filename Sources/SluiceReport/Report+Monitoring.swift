import Foundation
import SluiceLedger

extension Report {
    /// Scoring, realized performance and the monitor's actions (nothing when the pipeline has none).
    func monitoringSection(_ pipeline: Pipeline, width: Int) -> String {
        let m = pipeline.monitoring
        guard m.rowsScored > 0 || !pipeline.realized.isEmpty || !pipeline.monitorActions.isEmpty else { return "" }
        var out = "\nin service\n"
        out += "  \(m.rowsScored) rows scored, \(m.labelsMatched) labels matched"
            + (m.driftedShare.map { String(format: "; latest scoring drop: %.0f%% of features drifted", $0 * 100) } ?? "") + "\n"
        let primary = ["auc", "accuracy", "balanced_accuracy", "rmse", "mae", "r2"]
        let latest = Dictionary(grouping: pipeline.realized, by: { "\($0.version)|\($0.source)|\($0.scoringRunId ?? 0)|\($0.runId ?? 0)|\($0.labelsDropId ?? 0)" })
            .values.compactMap { group -> (RealizedMetric, [String: Double])? in
                guard let first = group.first else { return nil }
                return (first, Dictionary(group.map { ($0.name, $0.value) }) { $1 })
            }
            .sorted { $0.0.id < $1.0.id }.suffix(5)
        for (point, values) in latest {
            let shown = primary.compactMap { name in values[name].map { "\(name) \(String(format: "%.4f", $0))" } }.prefix(3)
            let source = point.source == "labels" ? "labels" : "training holdout"
            out += "  v\(point.version) realized on \(point.rows) rows (\(source), \(short(point.at))): \(shown.joined(separator: ", "))\n"
        }
        for action in pipeline.monitorActions.suffix(5) {
            let line = "  monitor \(action.action) \(short(action.at)): \(action.reason) → \(action.outcome)"
            out += (line.count > width ? String(line.prefix(width - 1)) + "…" : line) + "\n"
        }
        return out
    }
}
