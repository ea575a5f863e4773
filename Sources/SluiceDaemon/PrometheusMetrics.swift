import Foundation
import SluiceLedger

/// Metrics in the Prometheus text format, for node_exporter's textfile
/// collector (`--collector.textfile.directory`). Written atomically by the
/// daemon after every run, from the ledger.
enum PrometheusMetrics {
    static func render(ledger: SQLiteLedger, pipelines: [String]) throws -> String {
        var out = """
        # HELP sluice_drops_total Drops claimed, by final outcome (claimed = still running).
        # TYPE sluice_drops_total counter

        """
        var counters: [PipelineCounters] = []
        for pipeline in pipelines { counters.append(try ledger.counters(pipeline: pipeline)) }
        for c in counters {
            let received = c.drops.values.reduce(0, +)
            out += "sluice_drops_received_total{pipeline=\"\(c.pipeline)\"} \(received)\n"
            for outcome in ["claimed", "archived", "quarantined"] {
                out += "sluice_drops_total{pipeline=\"\(c.pipeline)\",outcome=\"\(outcome)\"} \(c.drops[outcome] ?? 0)\n"
            }
        }
        out += "# HELP sluice_runs_total Runs by status.\n# TYPE sluice_runs_total counter\n"
        for c in counters {
            for status in ["approved", "rejected", "failed", "interrupted", "duplicate", "running"] {
                out += "sluice_runs_total{pipeline=\"\(c.pipeline)\",status=\"\(status)\"} \(c.runs[status] ?? 0)\n"
            }
        }
        out += "# HELP sluice_stage_duration_seconds Time spent in each stage.\n# TYPE sluice_stage_duration_seconds summary\n"
        for c in counters {
            for (stage, value) in c.stageSeconds.sorted(by: { $0.key < $1.key }) {
                out += "sluice_stage_duration_seconds_sum{pipeline=\"\(c.pipeline)\",stage=\"\(stage)\"} \(value.1)\n"
                out += "sluice_stage_duration_seconds_count{pipeline=\"\(c.pipeline)\",stage=\"\(stage)\"} \(value.0)\n"
            }
        }
        out += "# HELP sluice_model_version The model version being served (0 = none).\n# TYPE sluice_model_version gauge\n"
        for c in counters { out += "sluice_model_version{pipeline=\"\(c.pipeline)\"} \(c.currentVersion ?? 0)\n" }
        out += "# HELP sluice_last_success_timestamp_seconds When the last approved run ended.\n# TYPE sluice_last_success_timestamp_seconds gauge\n"
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for c in counters {
            let seconds = c.lastSuccess.flatMap { parser.date(from: $0) }?.timeIntervalSince1970 ?? 0
            out += "sluice_last_success_timestamp_seconds{pipeline=\"\(c.pipeline)\"} \(seconds)\n"
        }
        return out
    }
}
