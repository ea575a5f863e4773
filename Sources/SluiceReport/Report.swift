import Foundation
import SluiceLedger

/// What `sluice report` shows, read from the ledger only.
public struct Report: Codable, Sendable {
    public struct Pipeline: Codable, Sendable {
        public var name: String
        public var current: ModelRow?
        public var models: [ModelRow]
        public var drops: [DropRow]
        public var runs: [RunRow]
        /// Rules checked for the most recent candidate model.
        public var latestGate: [GateRuleRow]
    }

    public var ledger: String
    public var generatedAt: String
    public var pipelines: [Pipeline]

    /// Reads the report for `pipelines` (all pipelines with drops when empty).
    public static func load(from ledger: any Ledger, ledgerPath: String, pipelines names: [String],
                            limit: Int, generatedAt: String) throws -> Report {
        let known = try ledger.pipelines()
        let selected = names.isEmpty ? known : names
        let pipelines = try selected.map { name in
            let models = Array(try ledger.models(pipeline: name).suffix(limit))
            return Pipeline(name: name, current: try ledger.currentModel(pipeline: name), models: models,
                            drops: try ledger.recentDrops(pipeline: name, limit: limit),
                            runs: try ledger.recentRuns(pipeline: name, limit: limit),
                            latestGate: try models.last.map { try ledger.gateRules(runId: $0.runId) } ?? [])
        }
        return Report(ledger: ledgerPath, generatedAt: generatedAt, pipelines: pipelines)
    }

    /// JSON for programs (snake_case keys, sorted).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Aligned text for people, fitting `width` columns.
    public func text(width: Int = 80) -> String {
        var out = "sluice report · \(short(generatedAt)) UTC\nledger: \(ledger)\n"
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
                var table = TextTable(["version", "decision", "accuracy", "auc", "logloss", "reasons"],
                                      alignments: [.left, .left, .right, .right, .right, .left])
                for model in pipeline.models.reversed() {
                    let current = model.id == pipeline.current?.id ? " *" : ""
                    table.append([model.version.map { "v\($0)\(current)" } ?? "—", model.decision.rawValue,
                                  metric(model.metrics["accuracy"]), metric(model.metrics["auc"]),
                                  metric(model.metrics["logloss"]), model.reasons])
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
            out += "\nrecent drops\n"
            var drops = TextTable(["id", "file", "rows", "outcome", "reason"],
                                  alignments: [.right, .left, .right, .left, .left])
            for drop in pipeline.drops {
                drops.append(["\(drop.id)", drop.fileName, drop.rows.map(String.init) ?? "—", drop.outcome.rawValue,
                              drop.outcomeReason ?? ""])
            }
            out += pipeline.drops.isEmpty ? "  none\n" : drops.render(width: width)
            out += "\nrecent runs (stage durations)\n"
            for run in pipeline.runs {
                let total = run.durationMs.map(duration) ?? "running"
                out += "  run \(run.id)  \(run.status.rawValue)  \(short(run.startedAt))  total \(total)\n"
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
