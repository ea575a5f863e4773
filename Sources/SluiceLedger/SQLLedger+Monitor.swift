import SluiceSystem

/// What `monitor:` policies did, and the scored drop a measurement came from.
extension SQLLedger {
    public func recordMonitorAction(pipeline: String, action: String, version: Int, metric: String, measurementId: Int64?,
                                    scoringRunId: Int64?, measured: String, reason: String, outcome: String) throws -> Int64 {
        try database.write { db in
            return try db.insert(sql: """
                INSERT INTO monitor_actions (pipeline, action, version, metric, measurement_id, scoring_run_id, measured, reason,
                                             outcome, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [pipeline, action, version, metric, measurementId, scoringRunId, measured, reason, outcome,
                                 Timestamp.now()])
        }
    }

    public func monitorActions(pipeline: String) throws -> [MonitorAction] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM monitor_actions WHERE pipeline = ? ORDER BY id", arguments: [pipeline]).map { row in
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
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE monitor_actions SET consumed_run_id = ? WHERE id = ?", arguments: [runId, pending.id])
        }
        return pending
    }

    public func scoredDrift(pipeline: String) throws -> [(id: Int64, share: Double)] {
        try database.read { db in
            try db.fetchAll(sql: """
                SELECT id, drifted_share FROM scoring_runs WHERE pipeline = ? AND status = 'scored' AND drifted_share IS NOT NULL
                ORDER BY id
                """, arguments: [pipeline]).map { ($0["id"], $0["drifted_share"]) }
        }
    }

    public func scoredDropPath(scoringRunId: Int64) throws -> String? {
        try database.read { db in
            try db.scalar(String.self, sql: """
                SELECT d.final_path FROM scoring_runs s JOIN drops d ON d.id = s.drop_id WHERE s.id = ? AND d.deleted_at IS NULL
                """, arguments: [scoringRunId])
        }
    }
}

extension SQLLedger {
    public func monitoringCounters(pipeline: String) throws -> MonitoringCounters {
        try database.read { db in
            let version = try db.scalar(Int.self, sql: "SELECT version FROM current_models WHERE pipeline = ?", arguments: [pipeline])
            var realized: [String: Double] = [:]
            if let version {
                for row in try db.fetchAll(sql: """
                    SELECT name, value FROM realized_metrics WHERE id IN
                        (SELECT max(id) FROM realized_metrics WHERE pipeline = ? AND version = ? GROUP BY name)
                    """, arguments: [pipeline, version]) {
                    realized[row["name"]] = row["value"]
                }
            }
            let latest = try db.fetchOne(sql: """
                SELECT drifted_share, summary FROM scoring_runs WHERE pipeline = ? AND status = 'scored' ORDER BY id DESC LIMIT 1
                """, arguments: [pipeline])
            var actions: [String: Int] = [:]
            for row in try db.fetchAll(sql: "SELECT action, count(*) AS n FROM monitor_actions WHERE pipeline = ? GROUP BY action",
                                        arguments: [pipeline]) {
                actions[row["action"]] = row["n"]
            }
            return MonitoringCounters(
                pipeline: pipeline,
                rowsScored: try db.scalar(Int.self, sql: "SELECT coalesce(sum(rows), 0) FROM scoring_runs WHERE pipeline = ? AND status = 'scored'",
                                             arguments: [pipeline]) ?? 0,
                labelsMatched: try db.scalar(Int.self, sql: """
                    SELECT coalesce(sum(rows), 0) FROM (SELECT DISTINCT labels_drop_id, scoring_run_id, rows FROM realized_metrics
                                                        WHERE pipeline = ? AND source = 'labels') AS matched
                    """, arguments: [pipeline]) ?? 0,
                realized: realized, driftedShare: latest?["drifted_share"], latestSummary: latest?["summary"],
                monitorActions: actions)
        }
    }
}
