import Foundation
import SluiceLedger

/// Metrics in the Prometheus text format, for node_exporter's textfile
/// collector (`--collector.textfile.directory`). Written atomically by the
/// daemon after every run, from the ledger.
enum PrometheusMetrics {
    static func render(ledger: SQLLedger, pipelines: [String]) throws -> String {
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
        out += try monitoring(ledger: ledger, pipelines: pipelines)
        return out
    }

    /// Scoring, labels and monitoring: rows scored, labels matched, the realized
    /// metrics of the model in service, the latest scoring drop's drift and
    /// prediction shares or mean, and the monitor's actions.
    static func monitoring(ledger: SQLLedger, pipelines: [String]) throws -> String {
        let counters = try pipelines.map { try ledger.monitoringCounters(pipeline: $0) }
        var out = "# HELP sluice_scored_rows_total Rows scored by the model in service.\n# TYPE sluice_scored_rows_total counter\n"
        for c in counters { out += "sluice_scored_rows_total{pipeline=\"\(c.pipeline)\"} \(c.rowsScored)\n" }
        out += "# HELP sluice_labels_matched_total Labels joined to a scored row.\n# TYPE sluice_labels_matched_total counter\n"
        for c in counters { out += "sluice_labels_matched_total{pipeline=\"\(c.pipeline)\"} \(c.labelsMatched)\n" }
        out += "# HELP sluice_champion_realized The latest realized value of each metric of the model in service.\n# TYPE sluice_champion_realized gauge\n"
        for c in counters {
            for (name, value) in c.realized.sorted(by: { $0.key < $1.key }) where !name.contains(".") {
                out += "sluice_champion_realized{pipeline=\"\(c.pipeline)\",metric=\"\(name)\"} \(value)\n"
            }
        }
        out += "# HELP sluice_scoring_drifted_share Share of features of the latest scoring drop that drifted.\n# TYPE sluice_scoring_drifted_share gauge\n"
        for c in counters { if let share = c.driftedShare { out += "sluice_scoring_drifted_share{pipeline=\"\(c.pipeline)\"} \(share)\n" } }
        out += "# HELP sluice_prediction_class_share Share of each predicted class in the latest scoring drop.\n# TYPE sluice_prediction_class_share gauge\n"
        out += "# HELP sluice_prediction_mean Mean prediction of the latest scoring drop (regression).\n# TYPE sluice_prediction_mean gauge\n"
        out += "# HELP sluice_scoring_drift Drift of each feature of the latest scoring drop (PSI or Jensen-Shannon).\n# TYPE sluice_scoring_drift gauge\n"
        for c in counters {
            // The summary is sluice's own JSON; one that does not parse only loses these two gauges.
            guard let text = c.latestSummary,
                  let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { continue }
            for (name, share) in ((object["class_shares"] as? [String: Double]) ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "sluice_prediction_class_share{pipeline=\"\(c.pipeline)\",class=\"\(name)\"} \(share)\n"
            }
            if let mean = object["mean"] as? Double { out += "sluice_prediction_mean{pipeline=\"\(c.pipeline)\"} \(mean)\n" }
            let scores = ((object["drift"] as? [String: Any])?["scores"] as? [[String: Any]]) ?? []
            for score in scores {
                guard let column = score["column"] as? String, let measure = score["measure"] as? String,
                      let value = score["score"] as? Double else { continue }
                out += "sluice_scoring_drift{pipeline=\"\(c.pipeline)\",column=\"\(column)\",measure=\"\(measure)\"} \(value)\n"
            }
        }
        out += "# HELP sluice_monitor_actions_total Actions taken by the monitor policy.\n# TYPE sluice_monitor_actions_total counter\n"
        for c in counters {
            for action in ["alert", "retrain", "rollback"] {
                out += "sluice_monitor_actions_total{pipeline=\"\(c.pipeline)\",action=\"\(action)\"} \(c.monitorActions[action] ?? 0)\n"
            }
        }
        return out
    }
}
