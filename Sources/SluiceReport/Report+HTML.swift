import Foundation
import SluiceFormats
import SluiceLedger

/// `sluice report --format html`: one self-contained page — inline CSS and
/// SVG, no scripts, no fonts, no fetches — readable without colour (every
/// mark is labelled) and printable. Aggregates only: never raw rows.
extension Report {
    public func html() -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>sluice report</title><style>\(Self.css)</style></head><body>
        <h1>sluice report</h1>
        <p class="meta">generated \(SVGChart.escape(short(generatedAt))) UTC from \(SVGChart.escape(ledger))\(since.map { " · since \(SVGChart.escape(short($0))) UTC" } ?? "")</p>

        """
        if pipelines.isEmpty { out += "<p>No drops recorded yet.</p>" }
        for pipeline in pipelines { out += section(pipeline) }
        return out + "</body></html>\n"
    }

    func section(_ p: Pipeline) -> String {
        var out = "<section><h2>pipeline \(SVGChart.escape(p.name))</h2>"
        out += overview(p)
        out += metricChart(p)
        out += realizedChart(p)
        out += driftMap(p)
        out += p.driftDistributions.map { distribution in
            SVGChart.pairedBars(distribution.bins, reference: distribution.reference, current: distribution.current,
                                title: "\(distribution.column): \(distribution.measure) \(String(format: "%.3f", distribution.score)), the champion's training data (outline) vs this drop (solid)")
        }.joined()
        out += findingsTable(p)
        out += runsChart(p)
        return out + "</section>\n"
    }

    func overview(_ p: Pipeline) -> String {
        let counts = p.counts
        let window = since == nil ? "all time" : "since \(short(since!)) UTC"
        var champion = "none yet"
        if let model = p.current {
            let since = p.championHistory.last.map { " since \(short($0.since)) UTC (\($0.action.rawValue) by \($0.by))" } ?? ""
            let names = ["auc", "accuracy", "balanced_accuracy", "rmse", "r2"]
            let metrics: [String] = names.compactMap { name in model.metrics[name].map { "\(name) \(String(format: "%.4f", $0))" } }
            champion = "v\(model.version ?? 0)\(since): " + metrics.prefix(3).joined(separator: ", ")
        }
        let lastSuccess = counts.lastSuccess.map { short($0) + " UTC" } ?? "none yet"
        let drops = counts.drops.values.reduce(0, +)
        let failures = (counts.runs["failed"] ?? 0) + (counts.runs["interrupted"] ?? 0)
        let items = [("model in service", champion),
                     ("drops received (\(window))", "\(drops): " + ["archived", "quarantined", "claimed"].map { "\(counts.drops[$0] ?? 0) \($0)" }.joined(separator: ", ")),
                     ("runs (\(window))", ["approved", "rejected", "duplicate", "failed", "interrupted"].map { "\(counts.runs[$0] ?? 0) \($0)" }.joined(separator: ", ")),
                     ("last success", lastSuccess), ("failed or interrupted runs", "\(failures)"),
                     ("scored", "\(p.monitoring.rowsScored) rows, \(p.monitoring.labelsMatched) labels matched")]
        return "<dl class=\"overview\">" + items.map { "<dt>\(SVGChart.escape($0.0))</dt><dd>\(SVGChart.escape($0.1))</dd>" }.joined() + "</dl>"
    }

    /// The primary metric of every model version over time, rules as lines, champion changes marked.
    func metricChart(_ p: Pipeline) -> String {
        let regression = p.models.contains { $0.metrics["rmse"] != nil }
        let metric = regression ? "rmse" : "auc"
        let points = p.models.compactMap { model -> SVGChart.Point? in
            guard let value = model.metrics[metric], let x = Self.seconds(model.createdAt) else { return nil }
            return .init(x: x, y: value, label: (model.version.map { "v\($0)" } ?? "×") + " " + String(format: "%.3f", value))
        }
        let thresholds = p.latestGate.filter { $0.metric == metric && ($0.bound == "min" || $0.bound == "max") }
            .map { ($0.threshold, "\($0.bound) \(String(format: "%.3g", $0.threshold))") }
        let first = points.map(\.x).min() ?? 0
        let markers = p.championHistory.compactMap { change in
            Self.seconds(change.since).map { ($0, "\(change.action.rawValue) v\(change.version)") }
        }.filter { $0.0 >= first }
        return SVGChart.timeSeries(points, title: "\(metric) of each model (× = rejected)", thresholds: thresholds, markers: markers)
    }

    /// The champion's realized performance on newly labelled data over time.
    func realizedChart(_ p: Pipeline) -> String {
        let metric = p.realized.contains { $0.name == "auc" } ? "auc" : (p.realized.contains { $0.name == "rmse" } ? "rmse" : "accuracy")
        let points = p.realized.filter { $0.name == metric }.compactMap { point -> SVGChart.Point? in
            Self.seconds(point.at).map { .init(x: $0, y: point.value, label: "v\(point.version) \(String(format: "%.3f", point.value))") }
        }
        return SVGChart.timeSeries(points, title: "\(metric) of the model in service on new labelled data")
    }

    /// Drops × features: the recorded PSI / JS of each feature, against its threshold.
    func driftMap(_ p: Pipeline) -> String {
        let runs = Array(p.driftByRun.prefix(12))
        let columns = Array(Set(runs.flatMap { $0.scores.map(\.column) })).sorted()
        return SVGChart.heatMap(rows: runs.map { "run \($0.runId) \(short($0.startedAt).prefix(10))" }, columns: columns,
                                cell: { r, c in runs[r].scores.first { $0.column == columns[c] }.map { ($0.score, $0.threshold) } },
                                title: "drift vs the champion's training data (value / threshold; ! = drifted)")
    }

    func findingsTable(_ p: Pipeline) -> String {
        var out = "<h3>validation findings\(p.latestFindingsRun.map { " (run \($0))" } ?? "")</h3>"
        if p.latestFindings.isEmpty {
            out += "<p class=\"empty\">none</p>"
        } else {
            out += "<table><tr><th>severity</th><th>kind</th><th>column</th><th>measured</th><th>expected</th><th>message</th></tr>"
            for finding in p.latestFindings {
                out += "<tr><td>\(finding.severity)</td><td>\(SVGChart.escape(finding.kind))</td><td>\(SVGChart.escape(finding.column ?? ""))</td>"
                    + "<td>\(SVGChart.escape(finding.measured ?? ""))</td><td>\(SVGChart.escape(finding.expected ?? ""))</td>"
                    + "<td>\(SVGChart.escape(finding.message))</td></tr>"
            }
            out += "</table>"
        }
        let quarantined = p.drops.filter { $0.outcome == .quarantined }
        out += "<h3>quarantined drops</h3>"
        out += quarantined.isEmpty ? "<p class=\"empty\">none</p>"
            : "<table><tr><th>drop</th><th>file</th><th>reason</th></tr>" + quarantined.map {
                "<tr><td>\($0.id)</td><td>\(SVGChart.escape($0.fileName))</td><td>\(SVGChart.escape($0.outcomeReason ?? ""))</td></tr>"
            }.joined() + "</table>"
        return out
    }

    func runsChart(_ p: Pipeline) -> String {
        let bars = p.runs.prefix(15).map { run in
            (label: "run \(run.id) \(run.status.rawValue)", parts: run.stages.compactMap { stage in stage.durationMs.map { (stage.stage, $0) } })
        }
        var out = SVGChart.stackedBars(Array(bars), title: "stage durations per run", unit: "ms")
        // Which host ran each run, when several hosts share the ledger.
        let hosts = ledger.hasPrefix("postgres")
        out += "<table><tr><th>run</th>\(hosts ? "<th>host</th>" : "")<th>status</th><th>reason</th></tr>" + p.runs.prefix(15).map {
            "<tr><td>\($0.id)</td>" + (hosts ? "<td>\(SVGChart.escape($0.host ?? ""))</td>" : "")
                + "<td>\($0.status.rawValue)</td><td>\(SVGChart.escape($0.message ?? ""))</td></tr>"
        }.joined() + "</table>"
        return out
    }

    static func seconds(_ iso: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: iso)?.timeIntervalSince1970
    }

    static let css = """
    body{font:14px/1.4 system-ui,sans-serif;max-width:980px;margin:1em auto;padding:0 1em;color:#222}
    h1{font-size:1.5em}h2{border-bottom:2px solid #444;padding-bottom:.2em;margin-top:2em}h3{font-size:1.05em;margin:1.2em 0 .4em}
    .meta,.empty{color:#555}dl.overview{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
    table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #bbb;padding:.2em .4em;text-align:left;vertical-align:top}
    svg.chart{display:block;margin:.6em 0;max-width:100%;height:auto}.t{font-size:13px;font-weight:600}.tick{font-size:10px}
    .axis{stroke:#444}.threshold{stroke:#444;stroke-dasharray:6 3}.marker{stroke:#888;stroke-dasharray:2 2}
    .line{fill:none;stroke:#1f5fa8;stroke-width:1.5}.dot{fill:#1f5fa8}.cell{fill:#1f5fa8}.drifted{fill:#b3261e}.none{fill:#eee}
    .ref{fill:none;stroke:#222;stroke-width:1.2}.cur{fill:#1f5fa8}.part0{fill:#1f5fa8}.part1{fill:#6a9fd8}.part2{fill:#2e7d32}.part3{fill:#9e9e9e}.inbar{font-size:10px;fill:#fff}
    @media print{body{max-width:none}section{break-inside:avoid-page}}
    """
}
