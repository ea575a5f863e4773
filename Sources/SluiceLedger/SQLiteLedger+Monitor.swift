import GRDB
import SluiceSystem

/// What `monitor:` policies did, and the scored drop a measurement came from.
extension SQLiteLedger {
    public func recordMonitorAction(pipeline: String, action: String, version: Int, metric: String, measurementId: Int64?,
                                    scoringRunId: Int64?, measured: String, reason: String, outcome: String) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO monitor_actions (pipeline, action, version, metric, measurement_id, scoring_run_id, measured, reason,
                                             outcome, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [pipeline, action, version, metric, measurementId, scoringRunId, measured, reason, outcome,
                                 Timestamp.now()])
            return db.lastInsertedRowID
        }
    }

    public func monitorActions(pipeline: String) throws -> [MonitorAction] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM monitor_actions WHERE pipeline = ? ORDER BY id", arguments: [pipeline]).map { row in
                MonitorAction(id: row["id"], pipeline: row["pipeline"], action: row["action"], version: row["version"],
                              metric: row["metric"], measurementId: row["measurement_id"],
                              scoringRunId: row["scoring_run_id"], measured: row["measured"],
                              reason: row["reason"], outcome: row["outcome"], consumedRunId: row["consumed_run_id"], at: row["at"])
            }
        }
    }

    public func consumeRetrainRequest(pipeline: String, runId: Int64) throws -> MonitorAction? {
        let pending = try monitorActions(pipeline: pipeline).last { $0.action == "retrain" && $0.consumedRunId == nil }
        guard let pending else { return nil }
        try pool.write { db in
            try db.execute(sql: "UPDATE monitor_actions SET consumed_run_id = ? WHERE id = ?", arguments: [runId, pending.id])
        }
        return pending
    }

    public func scoredDrift(pipeline: String) throws -> [(id: Int64, share: Double)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, drifted_share FROM scoring_runs WHERE pipeline = ? AND status = 'scored' AND drifted_share IS NOT NULL
                ORDER BY id
                """, arguments: [pipeline]).map { ($0["id"], $0["drifted_share"]) }
        }
    }

    public func scoredDropPath(scoringRunId: Int64) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT d.final_path FROM scoring_runs s JOIN drops d ON d.id = s.drop_id WHERE s.id = ? AND d.deleted_at IS NULL
                """, arguments: [scoringRunId])
        }
    }
}

extension SQLiteLedger {
    public func monitoringCounters(pipeline: String) throws -> MonitoringCounters {
        try pool.read { db in
            let version = try Int.fetchOne(db, sql: "SELECT version FROM current_models WHERE pipeline = ?", arguments: [pipeline])
            var realized: [String: Double] = [:]
            if let version {
                for row in try Row.fetchAll(db, sql: """
                    SELECT name, value FROM realized_metrics WHERE id IN
                        (SELECT max(id) FROM realized_metrics WHERE pipeline = ? AND version = ? GROUP BY name)
                    """, arguments: [pipeline, version]) {
                    realized[row["name"]] = row["value"]
                }
            }
            let latest = try Row.fetchOne(db, sql: """
                SELECT drifted_share, summary FROM scoring_runs WHERE pipeline = ? AND status = 'scored' ORDER BY id DESC LIMIT 1
                """, arguments: [pipeline])
            var actions: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT action, count(*) AS n FROM monitor_actions WHERE pipeline = ? GROUP BY action",
                                        arguments: [pipeline]) {
                actions[row["action"]] = row["n"]
            }
            return MonitoringCounters(
                pipeline: pipeline,
                rowsScored: try Int.fetchOne(db, sql: "SELECT coalesce(sum(rows), 0) FROM scoring_runs WHERE pipeline = ? AND status = 'scored'",
                                             arguments: [pipeline]) ?? 0,
                labelsMatched: try Int.fetchOne(db, sql: """
                    SELECT coalesce(sum(rows), 0) FROM (SELECT DISTINCT labels_drop_id, scoring_run_id, rows FROM realized_metrics
                                                        WHERE pipeline = ? AND source = 'labels')
                    """, arguments: [pipeline]) ?? 0,
                realized: realized, driftedShare: latest?["drifted_share"], latestSummary: latest?["summary"],
                monitorActions: actions)
        }
    }
}
