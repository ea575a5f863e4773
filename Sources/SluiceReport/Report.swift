import Foundation
import SluiceFormats
import SluiceLedger
import SluiceSystem

/// What `sluice report` shows, read from the ledger only.
public struct Report: Codable, Sendable {
    public struct Pipeline: Codable, Sendable {
        public var name: String
        public var current: ModelRow?
        public var models: [ModelRow]
        public var drops: [DropRow]
        public var runs: [RunRow]
        /// Rules checked for the most recent candidate model.
        public var latestGate: [GateRecord.Rule]
        /// The drop whose profile is the pinned schema, if one is pinned.
        public var schemaPinnedFromDrop: Int64?
        /// Validation findings of the most recent run that has any.
        public var latestFindings: [Finding]
        public var latestFindingsRun: Int64?
        /// Drift scores of the most recent run that has any (against the champion's training drop).
        public var latestDrift: [DriftScore]
        public var latestDriftRun: Int64?
        /// Scoring, labels and the monitor: counters, the latest realized metrics, the monitor's actions.
        public var monitoring: MonitoringCounters
        public var realized: [RealizedMetric]
        public var monitorActions: [MonitorAction]
        /// Every change of the model in service (for the charts' markers).
        public var championHistory: [ChampionInterval]
        /// Drift scores of recent runs, newest first (for the heat map).
        public var driftByRun: [RunDrift]
        /// The latest drift run's most drifted features: reference vs current distributions.
        public var driftDistributions: [DriftDistribution]
        /// Drops and runs in the report's window (all of them without --since).
        public var counts: WindowCounts
    }

    /// The drift scores of one run.
    public struct RunDrift: Codable, Sendable {
        public var runId: Int64
        public var startedAt: String
        public var scores: [DriftScore]
    }

    /// The JSON document's format (docs/report.md).
    public var format = "sluice.report/1"
    public var ledger: String
    public var generatedAt: String
    /// Only what happened at or after this time (ISO-8601 UTC), when given.
    public var since: String?
    public var pipelines: [Pipeline]

    /// Reads the report for `pipelines` (all pipelines with drops when empty).
    public static func load(from ledger: any Ledger, ledgerPath: String, pipelines names: [String],
                            limit: Int, generatedAt: String, since: String? = nil) throws -> Report {
        let known = try ledger.pipelines()
        let selected = names.isEmpty ? known : names
        let pipelines = try selected.map { name in
            let models = try ledger.recentModels(pipeline: name, limit: limit).filter { since == nil || $0.createdAt >= since! }
            let runs = try ledger.recentRuns(pipeline: name, limit: limit).filter { since == nil || $0.startedAt >= since! }
            var findings: (run: Int64, rows: [Finding])?
            var drift: (run: Int64, rows: [DriftScore])?
            var driftByRun: [RunDrift] = []
            for run in runs {
                if findings == nil { let rows = try ledger.findings(runId: run.id); if !rows.isEmpty { findings = (run.id, rows) } }
                let scores = try ledger.drift(runId: run.id)
                if drift == nil, !scores.isEmpty { drift = (run.id, scores) }
                if !scores.isEmpty { driftByRun.append(RunDrift(runId: run.id, startedAt: run.startedAt, scores: scores)) }
            }
            return Pipeline(name: name, current: try ledger.currentModel(pipeline: name), models: models,
                            drops: try ledger.recentDrops(pipeline: name, limit: limit)
                                .filter { since == nil || $0.receivedAt >= since! }, runs: runs,
                            latestGate: try models.last.map { try ledger.gateRules(runId: $0.runId) } ?? [],
                            schemaPinnedFromDrop: try ledger.pinnedSchema(pipeline: name)?.dropId,
                            latestFindings: findings?.rows ?? [], latestFindingsRun: findings?.run,
                            latestDrift: drift?.rows ?? [], latestDriftRun: drift?.run,
                            monitoring: try ledger.monitoringCounters(pipeline: name),
                            realized: Array(try ledger.realizedMetrics(pipeline: name).suffix(limit * 4)),
                            monitorActions: Array(try ledger.monitorActions(pipeline: name).suffix(limit)),
                            championHistory: try ledger.recentChampionChanges(pipeline: name, limit: max(limit, 20)),
                            driftByRun: driftByRun,
                            driftDistributions: try drift.map { try distributions(ledger, run: $0.run, scores: $0.rows) } ?? [],
                            counts: try ledger.windowCounts(pipeline: name, since: since))
        }
        return Report(ledger: ledgerPath, generatedAt: generatedAt, since: since, pipelines: pipelines)
    }

    /// The most drifted features of a run, from the two drops' stored profiles.
    static func distributions(_ ledger: any Ledger, run: Int64, scores: [DriftScore]) throws -> [DriftDistribution] {
        guard let drops = try ledger.driftDrops(runId: run), let referenceId = drops.referenceDropId,
              let currentText = try ledger.profile(dropId: drops.dropId), let referenceText = try ledger.profile(dropId: referenceId)
        else { return [] }
        let current = try Profile.decode(Array(currentText.utf8), file: "profile of drop \(drops.dropId)")
        let reference = try Profile.decode(Array(referenceText.utf8), file: "profile of drop \(referenceId)")
        return DriftDistribution.mostDrifted(scores, reference: reference, current: current)
    }

    /// JSON for programs (snake_case keys, sorted).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Aligned text for people, fitting `width` columns.
    public func text(width: Int = 80) -> String {
        var out = "sluice report · \(short(generatedAt)) UTC\nledger: \(ledger)\n"
            + (since.map { "since: \(short($0)) UTC\n" } ?? "")
        if pipelines.isEmpty {
            out += "\nNo drops recorded yet. Drop a file into a pipeline's inbox and run `sluice serve --once`.\n"
        }
        for pipeline in pipelines {
            out += "\n━━ pipeline \(pipeline.name) "
            out += String(repeating: "━", count: max(0, width - 15 - pipeline.name.count)) + "\n"
            if let current = pipeline.current, let version = current.version {
                out += "current model: v\(version) (\(current.archivePath.map(fileName) ?? "no archive"))\n"
            } else {
                out += "current model: none yet\n"
            }
            out += "\nmodels\n"
            if pipeline.models.isEmpty {
                out += "  none\n"
            } else {
                // Regression models are shown by their error metrics, classifiers by theirs.
                let regression = pipeline.models.contains { $0.metrics["rmse"] != nil }
                let shown = regression ? ["rmse", "mae", "r2"] : ["accuracy", "auc", "logloss"]
                var table = TextTable(["version", "decision"] + shown + ["reasons"],
                                      alignments: [.left, .left, .right, .right, .right, .left])
                for model in pipeline.models.reversed() {
                    let current = model.id == pipeline.current?.id ? " *" : ""
                    table.append([model.version.map { "v\($0)\(current)" } ?? "—", model.decision.rawValue]
                                 + shown.map { metric(model.metrics[$0]) } + [model.reasons])
                }
                out += table.render(width: width)
                if let latest = pipeline.models.last, !pipeline.latestGate.isEmpty {
                    let label = latest.version.map { "v\($0)" } ?? "the candidate of run \(latest.runId)"
                    out += "\ngate of \(label) (\(latest.decision.rawValue))\n"
                    for rule in pipeline.latestGate {
                        out += "  \(rule.passed ? "pass" : "FAIL")  \(rule.text)\n"
                    }
                }
            }
            out += dataSection(pipeline, width: width)
            out += monitoringSection(pipeline, width: width)
            out += "\nrecent drops\n"
            var drops = TextTable(["id", "file", "rows", "outcome", "reason"],
                                  alignments: [.right, .left, .right, .left, .left])
            for drop in pipeline.drops {
                drops.append(["\(drop.id)", drop.fileName, drop.rows.map { HumanNumber.format(Double($0)) } ?? "—", drop.outcome.rawValue,
                              drop.outcomeReason ?? ""])
            }
            out += pipeline.drops.isEmpty ? "  none\n" : drops.render(width: width)
            out += "\nrecent runs (stage durations)\n"
            for run in pipeline.runs {
                let total = run.durationMs.map(duration) ?? "running"
                // Which host ran it, when several hosts share the ledger.
                let host = run.host.map { ledger.hasPrefix("postgres") ? "  on \($0)" : "" } ?? ""
                out += "  run \(run.id)  \(run.status.rawValue)  \(short(run.startedAt))  total \(total)\(host)\n"
                var line = "    "
                for stage in run.stages {
                    let mark = switch stage.status {
                    case .succeeded: ""
                    case .failed: " FAILED"
                    case .skipped: " skipped"
                    case .running: " running"
                    }
                    let part = stage.status == .skipped ? "\(stage.stage)\(mark)"
                        : "\(stage.stage) \(stage.durationMs.map(duration) ?? "—")\(mark)"
                    if line.count + part.count + 3 > width {
                        out += line + "\n"
                        line = "    "
                    }
                    line += (line == "    " ? "" : " · ") + part
                }
                out += line + "\n"
            }
            if pipeline.runs.isEmpty { out += "  none\n" }
        }
        return out
    }

    /// Pinned schema, the latest findings, and the latest drift scores as bars
    /// (a full bar is the feature's threshold).
    func dataSection(_ pipeline: Pipeline, width: Int) -> String {
        var out = "\ndata\n"
        out += pipeline.schemaPinnedFromDrop.map { "  schema pinned from drop \($0)\n" }
            ?? "  no schema pinned yet (the first approved drop pins it)\n"
        if let run = pipeline.latestFindingsRun {
            let errors = pipeline.latestFindings.filter { $0.severity == "error" }.count
            out += "  findings of run \(run): \(errors) error\(errors == 1 ? "" : "s"), "
                + "\(pipeline.latestFindings.count - errors) warning\(pipeline.latestFindings.count - errors == 1 ? "" : "s")\n"
            for finding in pipeline.latestFindings.sorted(by: { ($0.severity == "error" ? 0 : 1) < ($1.severity == "error" ? 0 : 1) }) {
                let line = "    \(finding.severity == "error" ? "ERROR" : "warn ") \(finding.kind)"
                    + "\(finding.column.map { " [\($0)]" } ?? ""): \(finding.message)"
                out += (line.count > width ? String(line.prefix(width - 1)) + "…" : line) + "\n"
            }
        }
        if let run = pipeline.latestDriftRun {
            let drifted = pipeline.latestDrift.filter(\.drifted).count
            out += "  drift in run \(run) vs the champion's training data: \(drifted) of \(pipeline.latestDrift.count) features drifted\n"
            let nameWidth = min(20, pipeline.latestDrift.map(\.column.count).max() ?? 0)
            let barWidth = max(10, min(30, width - nameWidth - 34))
            for score in pipeline.latestDrift {
                let filled = min(barWidth, Int((score.score / max(score.threshold, 1e-12) * Double(barWidth) / 2).rounded()))
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(0, barWidth - filled))
                let name = String(score.column.prefix(nameWidth)).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                out += "    \(name) \(score.measure.padding(toLength: 3, withPad: " ", startingAt: 0)) "
                    + String(format: "%.3f", score.score) + " \(bar)\(score.drifted ? " DRIFTED" : "")\n"
            }
            out += "    (bar: half width = the threshold)\n"
        }
        return out
    }

    func metric(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "—" }

    func duration(_ ms: Double) -> String {
        ms < 1 ? String(format: "%.2f ms", ms) : ms < 10_000 ? String(format: "%.0f ms", ms) : String(format: "%.1f s", ms / 1000)
    }

    func short(_ timestamp: String) -> String {
        String(timestamp.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    func fileName(_ path: String) -> String {
        path.split(separator: "/").suffix(3).joined(separator: "/")
    }
}
