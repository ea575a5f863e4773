import SluiceSystem

/// Scoring runs, their predictions, and the realized performance of the model in service.
extension SQLLedger {
    public func markDrop(id: Int64, kind: String) throws {
        try database.write { db in try db.executeDeferred(sql: "UPDATE drops SET kind = ? WHERE id = ?", arguments: [kind, id]) }
    }

    public func drop(inboxPath: String, claimedAt: String) throws -> Int64? {
        try database.read { db in
            try db.scalar(Int64.self, sql: "SELECT id FROM drops WHERE inbox_path = ? AND claimed_at = ? ORDER BY id DESC LIMIT 1",
                               arguments: [inboxPath, claimedAt])
        }
    }

    public func startScoring(runKey: String, pipeline: String, dropId: Int64, modelId: Int64?, version: Int?) throws -> Int64 {
        try database.write { db in
            try db.executeDeferred(sql: """
                INSERT INTO scoring_runs (run_key, pipeline, drop_id, model_id, version, started_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_key) DO UPDATE SET status = 'running', started_at = excluded.started_at
                """, arguments: [runKey, pipeline, dropId, modelId, version, Timestamp.now()])
            return try db.scalar(Int64.self, sql: "SELECT id FROM scoring_runs WHERE run_key = ?", arguments: [runKey])!
        }
    }

    public func finishScoring(id: Int64, status: String, rows: Int?, predictionsPath: String?, summary: String?,
                              driftedShare: Double?, message: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                UPDATE scoring_runs SET status = ?, rows = ?, predictions_path = ?, summary = ?, drifted_share = ?,
                                        message = ?, ended_at = ? WHERE id = ?
                """, arguments: [status, rows, predictionsPath, summary, driftedShare, message, Timestamp.now(), id])
        }
    }

    public func recordPredictions(scoringRunId: Int64, rows: [(id: String, scores: [Double])]) throws {
        try database.write { db in
            try db.executeDeferred(sql: "DELETE FROM predictions WHERE scoring_run_id = ?", arguments: [scoringRunId])
            for row in rows {
                try db.executeDeferred(sql: """
                    INSERT INTO predictions (scoring_run_id, row_id, scores) VALUES (?, ?, ?)
                    ON CONFLICT (scoring_run_id, row_id) DO UPDATE SET scores = excluded.scores
                    """, arguments: [scoringRunId, row.id, row.scores.map { "\($0)" }.joined(separator: ",")])
            }
        }
    }

    /// The latest scored prediction of each id (an id scored twice takes the later scoring).
    public func latestPredictions(pipeline: String, ids: [String]) throws -> [String: StoredPrediction] {
        try database.read { db in
            var found: [String: StoredPrediction] = [:]
            for id in ids {
                guard let row = try db.fetchOne(sql: """
                    SELECT p.scoring_run_id, s.version, p.scores FROM predictions p JOIN scoring_runs s ON s.id = p.scoring_run_id
                    WHERE p.row_id = ? AND s.pipeline = ? AND s.status = 'scored' ORDER BY p.scoring_run_id DESC LIMIT 1
                    """, arguments: [id, pipeline]) else { continue }
                let text: String = row["scores"]
                found[id] = StoredPrediction(scoringRunId: row["scoring_run_id"], version: row["version"],
                                             scores: text.split(separator: ",").compactMap { Double($0) })
            }
            return found
        }
    }

    public func recordRealizedMetrics(pipeline: String, version: Int, source: String, scoringRunId: Int64?,
                                      labelsDropId: Int64?, runId: Int64?, metrics: [(String, Double)], rows: Int) throws {
        try database.write { db in
            for (name, value) in metrics where !value.isNaN {
                try db.executeDeferred(sql: """
                    INSERT INTO realized_metrics (pipeline, version, source, scoring_run_id, labels_drop_id, run_id, name, value, rows, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [pipeline, version, source, scoringRunId, labelsDropId, runId, name, value, rows, Timestamp.now()])
            }
        }
    }

    public func realizedMetrics(pipeline: String) throws -> [RealizedMetric] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM realized_metrics WHERE pipeline = ? ORDER BY id", arguments: [pipeline]).map { row in
                RealizedMetric(id: row["id"], pipeline: row["pipeline"], version: row["version"], source: row["source"],
                               scoringRunId: row["scoring_run_id"], labelsDropId: row["labels_drop_id"], runId: row["run_id"],
                               name: row["name"], value: row["value"], rows: row["rows"], at: row["at"])
            }
        }
    }
}
