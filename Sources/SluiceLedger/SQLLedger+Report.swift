
/// The report's tables, read from the documented views (docs/report.md).
extension SQLLedger {
    /// The tables `sluice report --format csv --table` prints, with the view and time column each reads.
    public static let reportTables: [String: (source: String, time: String)] = [
        "runs": ("runs_overview", "started_at"),
        "models": ("model_versions", "created_at"),
        "drops": ("(SELECT id AS drop_id, pipeline, kind, file_name, sha256, size_bytes, rows, received_at, finished_at, outcome, outcome_reason, final_path, deleted_at FROM drops)", "received_at"),
        "findings": ("(SELECT f.run_id, r.pipeline, r.started_at, f.kind, f.severity, f.column_name, f.measured, f.expected, f.count, f.message FROM findings f JOIN runs r ON r.id = f.run_id)", "started_at"),
        "drift": ("drift_by_drop", "received_at"),
    ]

    /// Every row of `table` for `pipelines` (all when empty) since `since` (ISO-8601 UTC), as text.
    public func reportTable(_ table: String, pipelines: [String], since: String?) throws -> (columns: [String], rows: [[String]]) {
        guard let (source, time) = Self.reportTables[table] else {
            throw LedgerError("no report table '\(table)'; there are: " + Self.reportTables.keys.sorted().joined(separator: ", "))
        }
        return try database.read { db in
            var sql = "SELECT * FROM \(source) AS t WHERE (? IS NULL OR \(time) >= ?)"
            var arguments: [any LedgerBindable] = [since, since]
            if !pipelines.isEmpty {
                sql += " AND pipeline IN (\(pipelines.map { _ in "?" }.joined(separator: ", ")))"
                arguments += pipelines.map { $0 as any LedgerBindable }
            }
            let rows = try db.fetchAll(sql: sql + " ORDER BY \(time)", arguments: arguments)
            // An empty table still has its columns: a left join from one row gives them, all NULL.
            let columns = try rows.first?.columns ?? db.fetchAll(sql: """
                SELECT t.* FROM (SELECT 1 AS one) AS o LEFT JOIN \(source) AS t ON 1 = 1 LIMIT 1
                """).first?.columns ?? []
            return (columns, rows.map { row in row.values.map(\.text) })
        }
    }
}

extension SQLLedger {
    /// `EXPLAIN QUERY PLAN` of the reads the report makes per pipeline (for the benchmark).
    public func reportQueryPlans(pipeline: String) throws -> [(String, String)] {
        let queries = [
            ("recent drops", "SELECT * FROM drops WHERE pipeline = ? ORDER BY id DESC LIMIT 10"),
            ("recent runs", "SELECT * FROM runs WHERE pipeline = ? ORDER BY id DESC LIMIT 10"),
            ("recent models", "SELECT * FROM models WHERE pipeline = ? ORDER BY id DESC LIMIT 10"),
            ("drift of a run", "SELECT * FROM drift_scores WHERE run_id = ?"),
            ("recent champion changes", "SELECT * FROM champion_history WHERE change_id IN (SELECT id FROM champion_changes WHERE pipeline = ? ORDER BY id DESC LIMIT 50) ORDER BY change_id"),
        ]
        guard let sqlite = database as? SQLiteLedgerDatabase else {
            throw LedgerError("query plans are shown for a SQLite ledger only")
        }
        return try queries.map { name, sql in (name, try sqlite.queryPlan(sql, arguments: [pipeline])) }
    }

    /// The newest `limit` models of a pipeline, oldest first.
    public func recentModels(pipeline: String, limit: Int) throws -> [ModelRow] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM models WHERE pipeline = ? ORDER BY id DESC LIMIT ?", arguments: [pipeline, limit])
                .reversed().map { try Self.modelRow($0, db: db) }
        }
    }

    /// The newest `limit` champion changes of a pipeline, oldest first.
    public func recentChampionChanges(pipeline: String, limit: Int) throws -> [ChampionInterval] {
        try database.read { db in
            try db.fetchAll(sql: """
                SELECT * FROM champion_history WHERE change_id IN
                    (SELECT id FROM champion_changes WHERE pipeline = ? ORDER BY id DESC LIMIT ?)
                ORDER BY change_id
                """, arguments: [pipeline, limit]).map(Self.interval)
        }
    }

    /// The drop a run's drift was measured on and the reference drop it was measured against.
    public func driftDrops(runId: Int64) throws -> (dropId: Int64, referenceDropId: Int64?)? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT drop_id, reference_drop_id FROM drift_scores WHERE run_id = ? LIMIT 1",
                             arguments: [runId]).map { ($0["drop_id"], $0["reference_drop_id"]) }
        }
    }

    /// Drops by outcome and runs by status since `since` (everything when nil), and the last approved run.
    public func windowCounts(pipeline: String, since: String?) throws -> WindowCounts {
        try database.read { db in
            var counts = WindowCounts(drops: [:], runs: [:], lastSuccess: nil)
            for row in try db.fetchAll(sql: """
                SELECT outcome, count(*) AS n FROM drops WHERE pipeline = ? AND (? IS NULL OR received_at >= ?) GROUP BY outcome
                """, arguments: [pipeline, since, since]) {
                counts.drops[row["outcome"]] = row["n"]
            }
            for row in try db.fetchAll(sql: """
                SELECT status, count(*) AS n FROM runs WHERE pipeline = ? AND (? IS NULL OR started_at >= ?) GROUP BY status
                """, arguments: [pipeline, since, since]) {
                counts.runs[row["status"]] = row["n"]
            }
            counts.lastSuccess = try db.scalar(String.self, sql: "SELECT max(ended_at) FROM runs WHERE pipeline = ? AND status = 'approved'",
                                                     arguments: [pipeline])
            return counts
        }
    }
}
