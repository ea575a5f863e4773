import SluiceFormats
import SluiceSystem

/// The ``Ledger``, in SQL both databases speak: one SQLite file by default
/// (``SQLiteLedgerDatabase``), or a PostgreSQL server many hosts share
/// (``PostgresLedgerDatabase``, docs/scale.md). The few statements that differ
/// ask the connection's ``LedgerDialect``.
public final class SQLLedger: Ledger {
    public let database: any LedgerDatabase

    public init(database: any LedgerDatabase) {
        self.database = database
    }

    /// Opens (creating if needed) the SQLite ledger at `path` and applies pending migrations.
    public convenience init(path: String) throws {
        self.init(database: try SQLiteLedgerDatabase(path: path))
    }

    /// Opens the ledger at `location`: a `postgres://` URL, or a SQLite file's path.
    public static func open(_ location: String) throws -> SQLLedger {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return SQLLedger(database: try PostgresLedgerDatabase(target: try PostgresTarget(url: location)))
        }
        return try SQLLedger(path: location)
    }

    /// Whether the ledger is shared by several hosts (PostgreSQL).
    public var isShared: Bool { database.dialect == .postgres }

    /// How long a SQLite write waits for another process's write lock before it fails as busy.
    public static var busyTimeoutSeconds: Int { SQLiteLedgerDatabase.busyTimeoutSeconds }

    /// Whether `error` means the ledger was busy (locked by another process,
    /// a serialization failure, a lost connection): a reason to retry, not a verdict on the drop.
    public static func isBusy(_ error: any Error) -> Bool {
        if let error = error as? PostgresLedgerError { return error.isTransient }
        return SQLiteLedgerDatabase.isBusyError(error)
    }

    /// Names of the applied migrations, oldest first.
    public func appliedMigrations() throws -> [String] { try database.appliedMigrations() }

    // MARK: Drops

    public func recordDrop(pipeline: String, fileName: String, inboxPath: String,
                           receivedAt: String, claimedAt: String) throws -> Int64 {
        try database.write { db in
            return try db.insert(sql: """
                INSERT INTO drops (pipeline, file_name, inbox_path, received_at, claimed_at)
                VALUES (?, ?, ?, ?, ?)
                """, arguments: [pipeline, fileName, inboxPath, receivedAt, claimedAt])
        }
    }

    public func describeDrop(id: Int64, sha256: String, sizeBytes: Int64, rows: Int64?) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE drops SET sha256 = ?, size_bytes = ?, rows = ? WHERE id = ?",
                           arguments: [sha256, sizeBytes, rows, id])
        }
    }

    public func finishDrop(id: Int64, outcome: DropOutcome, reason: String, finalPath: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                UPDATE drops SET outcome = ?, outcome_reason = ?, final_path = ?, finished_at = ? WHERE id = ?
                """, arguments: [outcome.rawValue, reason, finalPath, Timestamp.now(), id])
        }
    }

    // MARK: Runs and stages

    public func startRun(dropId: Int64, pipeline: String, runKey: String, seed: UInt64,
                         configSHA256: String, workDirectory: String, pid: Int32, host: String?) throws -> Int64 {
        try database.write { db in
            return try db.insert(sql: """
                INSERT INTO runs (run_key, drop_id, pipeline, seed, config_sha256, work_dir, pid, started_at, host)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runKey, dropId, pipeline, Int64(bitPattern: seed), configSHA256,
                                 workDirectory, pid, Timestamp.now(), host])
        }
    }

    public func finishRun(id: Int64, status: RunStatus, message: String, durationMs: Double) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                UPDATE runs SET status = ?, message = ?, ended_at = ?, duration_ms = ? WHERE id = ?
                """, arguments: [status.rawValue, message, Timestamp.now(), durationMs, id])
        }
    }

    public func startStage(runId: Int64, position: Int, stage: String, kind: String,
                           plugin: PluginIdentity?) throws -> Int64 {
        try database.write { db in
            return try db.insert(sql: """
                INSERT INTO stage_runs (run_id, position, stage, kind, plugin_name, plugin_version,
                                        plugin_path, plugin_sha256, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runId, position, stage, kind, plugin?.name, plugin?.version,
                                 plugin?.path, plugin?.sha256, Timestamp.now()])
        }
    }

    public func finishStage(id: Int64, status: StageStatus, message: String?, durationMs: Double) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                UPDATE stage_runs SET status = ?, message = ?, ended_at = ?, duration_ms = ? WHERE id = ?
                """, arguments: [status.rawValue, message, Timestamp.now(), durationMs, id])
        }
    }

    public func recordMetric(runId: Int64, stageRunId: Int64?, name: String, value: Double) throws {
        try recordMetrics(runId: runId, stageRunId: stageRunId, metrics: [(name, value)])
    }

    public func recordMetrics(runId: Int64, stageRunId: Int64?, metrics: [(name: String, value: Double)]) throws {
        guard !metrics.isEmpty else { return }
        try database.write { db in
            for (name, value) in metrics {
                try db.executeDeferred(sql: """
                    INSERT INTO metrics (run_id, stage_run_id, name, value) VALUES (?, ?, ?, ?)
                    ON CONFLICT (run_id, stage_run_id, name) DO UPDATE SET value = excluded.value
                    """, arguments: [runId, stageRunId, name, value])
            }
        }
    }

    // MARK: Models

    /// The version after the highest one ever given out for `pipeline` (versions are never reused).
    static func nextVersion(_ db: any LedgerConnection, pipeline: String) throws -> Int {
        (try db.scalar(Int.self, sql: "SELECT max(version) FROM models WHERE pipeline = ?", arguments: [pipeline]) ?? 0) + 1
    }

    public func recordModel(runId: Int64, pipeline: String, version: Int?, decision: Decision, reasons: String,
                            archivePath: String?, archiveSHA256: String?) throws -> Int64 {
        try database.write { db in
            return try db.insert(sql: """
                INSERT INTO models (run_id, pipeline, version, decision, reasons, archive_path, archive_sha256, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runId, pipeline, version, decision.rawValue, reasons, archivePath,
                                 archiveSHA256, Timestamp.now()])
        }
    }

    public func reservePublication(runId: Int64, pipeline: String, reasons: String,
                                   archivePath: (Int) -> String) throws -> PendingPublication {
        // The pipeline's version lock is taken before max(version) is read, so
        // no other process — or host — can reserve the same version in between.
        try database.exclusive(lock: "versions:" + pipeline) { db in
                let version = try Self.nextVersion(db, pipeline: pipeline)
                let path = archivePath(version)
                let modelId = try db.insert(sql: """
                    INSERT INTO models (run_id, pipeline, version, decision, reasons, archive_path, archive_sha256,
                                        created_at, publication)
                    VALUES (?, ?, ?, 'approved', ?, ?, NULL, ?, 'publishing')
                    """, arguments: [runId, pipeline, version, reasons, path, Timestamp.now()])
                return PendingPublication(modelId: modelId, runId: runId, pipeline: pipeline,
                                          version: version, archivePath: path, reasons: reasons)
        }
    }

    public func completePublication(_ pending: PendingPublication, archiveSHA256: String, reason: String,
                                    action: ChampionAction, by: String) throws {
        try database.write { db in
            let changed = try db.execute(sql: "UPDATE models SET publication = 'published', archive_sha256 = ? WHERE id = ? AND publication = 'publishing'",
                                         arguments: [archiveSHA256, pending.modelId])
            guard changed == 1 else {
                throw LedgerError("model \(pending.modelId) (\(pending.pipeline) v\(pending.version)) is not being published")
            }
            let current = try db.scalar(Int64.self, sql: "SELECT model_id FROM current_models WHERE pipeline = ?",
                                             arguments: [pending.pipeline])
            try Self.insertChange(db, pipeline: pending.pipeline, from: current, to: pending.modelId, action: action,
                                  reason: reason, by: by)
        }
    }

    public func abandonPublication(_ pending: PendingPublication, reason: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                UPDATE models SET publication = 'abandoned', reasons = reasons || '; ' || ?
                WHERE id = ? AND publication = 'publishing'
                """, arguments: [reason, pending.modelId])
        }
    }

    public func pendingPublications(runId: Int64?) throws -> [PendingPublication] {
        try database.read { db in
            try db.fetchAll(sql: """
                SELECT * FROM models WHERE publication = 'publishing' AND (? IS NULL OR run_id = ?) ORDER BY id
                """, arguments: [runId, runId]).map { row in
                PendingPublication(modelId: row["id"], runId: row["run_id"], pipeline: row["pipeline"],
                                   version: row["version"], archivePath: row["archive_path"], reasons: row["reasons"])
            }
        }
    }

    public func recordGateRules(runId: Int64, stageRunId: Int64, rules: [GateRecord.Rule]) throws {
        try database.write { db in
            for rule in rules {
                try db.executeDeferred(sql: """
                    INSERT INTO gate_rules (run_id, stage_run_id, metric, bound, threshold, measured, passed, text)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [runId, stageRunId, rule.metric, rule.bound, rule.threshold, rule.measured,
                                     rule.passed ? 1 : 0, rule.text])
            }
        }
    }

    public func gateRules(runId: Int64) throws -> [GateRecord.Rule] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM gate_rules WHERE run_id = ? ORDER BY id", arguments: [runId]).map { row in
                GateRecord.Rule(metric: row["metric"], bound: row["bound"], threshold: row["threshold"],
                            measured: row["measured"], passed: (row["passed"] as Int) == 1, text: row["text"])
            }
        }
    }

    // MARK: Data plane

    public func recordFindings(runId: Int64, stageRunId: Int64, findings: [Finding]) throws {
        try database.write { db in
            for finding in findings {
                try db.executeDeferred(sql: """
                    INSERT INTO findings (run_id, stage_run_id, kind, severity, column_name, measured, expected,
                                          count, examples, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [runId, stageRunId, finding.kind, finding.severity, finding.column,
                                     finding.measured, finding.expected, finding.count, finding.examples, finding.message])
            }
        }
    }

    public func findings(runId: Int64) throws -> [Finding] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM findings WHERE run_id = ? ORDER BY id", arguments: [runId]).map { row in
                Finding(kind: row["kind"], severity: row["severity"], column: row["column_name"],
                           measured: row["measured"], expected: row["expected"], count: row["count"],
                           examples: row["examples"], message: row["message"])
            }
        }
    }

    public func recordProfile(dropId: Int64, runId: Int64, profile: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                INSERT INTO drop_profiles (drop_id, run_id, profile) VALUES (?, ?, ?)
                ON CONFLICT (drop_id) DO UPDATE SET run_id = excluded.run_id, profile = excluded.profile
                """,
                           arguments: [dropId, runId, profile])
        }
    }

    public func profile(dropId: Int64) throws -> String? {
        try database.read { db in
            try db.scalar(String.self, sql: "SELECT profile FROM drop_profiles WHERE drop_id = ?", arguments: [dropId])
        }
    }

    public func pinSchema(pipeline: String, source: String, dropId: Int64?, profile: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                INSERT INTO schemas (pipeline, source, drop_id, profile, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [pipeline, source, dropId, profile, Timestamp.now()])
        }
    }

    public func pinnedSchema(pipeline: String) throws -> (source: String, dropId: Int64?, profile: String)? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT * FROM schemas WHERE pipeline = ? ORDER BY id DESC LIMIT 1",
                             arguments: [pipeline]).map { (source: $0["source"], dropId: $0["drop_id"], profile: $0["profile"]) }
        }
    }

    public func championDrop(pipeline: String) throws -> Int64? {
        try database.read { db in
            try db.scalar(Int64.self, sql: """
                SELECT r.drop_id FROM current_models c JOIN models m ON m.id = c.model_id
                JOIN runs r ON r.id = m.run_id WHERE c.pipeline = ?
                """, arguments: [pipeline])
        }
    }

    public func recordDrift(runId: Int64, dropId: Int64, referenceDropId: Int64?, scores: [DriftScore]) throws {
        try database.write { db in
            for score in scores {
                try db.executeDeferred(sql: """
                    INSERT INTO drift_scores (run_id, drop_id, reference_drop_id, column_name, measure, score, threshold, drifted)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [runId, dropId, referenceDropId, score.column, score.measure, score.score,
                                     score.threshold, score.drifted ? 1 : 0])
            }
        }
    }

    public func drift(runId: Int64) throws -> [DriftScore] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM drift_scores WHERE run_id = ? ORDER BY id", arguments: [runId]).map { row in
                DriftScore(column: row["column_name"], measure: row["measure"], score: row["score"],
                         threshold: row["threshold"], drifted: (row["drifted"] as Int) == 1)
            }
        }
    }

    // MARK: Training windows

    public func windowDrops(pipeline: String, before dropId: Int64, limit: Int?, since: String?) throws -> [WindowDrop] {
        try database.read { db in
            let rows = try db.fetchAll(sql: """
                SELECT id, file_name, final_path, sha256, received_at, columns_checksum FROM drops
                WHERE pipeline = ? AND id < ? AND outcome = 'archived' AND final_path IS NOT NULL AND sha256 IS NOT NULL
                  AND deleted_at IS NULL AND kind = 'train'
                  AND (? IS NULL OR received_at >= ?)
                ORDER BY id DESC
                """, arguments: [pipeline, dropId, since, since])
            var seen = Set<String>()
            var drops: [WindowDrop] = []
            for row in rows {
                let sha: String = row["sha256"]
                guard seen.insert(sha).inserted else { continue }
                drops.append(WindowDrop(id: row["id"], fileName: row["file_name"], path: row["final_path"], sha256: sha,
                                        receivedAt: row["received_at"], columnsChecksum: row["columns_checksum"]))
                if let limit, drops.count >= limit { break }
            }
            return drops
        }
    }

    public func recordColumnCache(dropId: Int64, checksum: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE drops SET columns_checksum = ? WHERE id = ?", arguments: [checksum, dropId])
        }
    }

    public func recordRunInputs(runId: Int64, inputs: [(dropId: Int64, rows: Int)]) throws {
        try database.write { db in
            for (position, input) in inputs.enumerated() {
                try db.executeDeferred(sql: """
                    INSERT INTO run_inputs (run_id, drop_id, position, rows) VALUES (?, ?, ?, ?)
                    ON CONFLICT (run_id, drop_id) DO UPDATE SET position = excluded.position, rows = excluded.rows
                    """,
                               arguments: [runId, input.dropId, position, input.rows])
            }
        }
    }

    public func runInputs(runId: Int64) throws -> [(dropId: Int64, rows: Int)] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT drop_id, rows FROM run_inputs WHERE run_id = ? ORDER BY position",
                             arguments: [runId]).map { (dropId: $0["drop_id"], rows: $0["rows"]) }
        }
    }

    // MARK: Events

    public func recordEvent(level: EventLevel, kind: String, pipeline: String?, dropId: Int64?,
                            runId: Int64?, message: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                INSERT INTO events (at, level, kind, pipeline, drop_id, run_id, message) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Timestamp.now(), level.rawValue, kind, pipeline, dropId, runId, message])
        }
    }

    // MARK: Recovery and duplicates

    static func runRef(_ row: LedgerRow) throws -> RunRef {
        RunRef(id: row["id"], key: row["run_key"], dropId: row["drop_id"], pipeline: row["pipeline"],
               status: try Self.decode(RunStatus.self, row, "status", table: "runs"), pid: row["pid"], workDirectory: row["work_dir"],
               host: row["host"])
    }

    public func run(key: String) throws -> RunRef? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT * FROM runs WHERE run_key = ?", arguments: [key]).map(Self.runRef)
        }
    }

    public func run(id: Int64) throws -> RunRef? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(Self.runRef)
        }
    }

    public func runningRuns() throws -> [RunRef] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM runs WHERE status = 'running' ORDER BY id").map(Self.runRef)
        }
    }

    public func attempts(dropId: Int64) throws -> Int {
        try database.read { db in
            try db.scalar(Int.self, sql: "SELECT count(*) FROM runs WHERE drop_id = ?", arguments: [dropId]) ?? 0
        }
    }

    public func failRunningStages(runId: Int64, message: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: """
                UPDATE stage_runs SET status = 'failed', message = ?, ended_at = ?,
                    duration_ms = \(db.dialect.millisecondsSince(column: "started_at"))
                WHERE run_id = ? AND status = 'running'
                """, arguments: [message, Timestamp.now(), Timestamp.now(), runId])
        }
    }

    public func processedDrop(pipeline: String, sha256: String, excluding dropId: Int64) throws -> Int64? {
        try database.read { db in
            try db.scalar(Int64.self, sql: """
                SELECT id FROM drops WHERE pipeline = ? AND sha256 = ? AND id != ? AND outcome = 'archived' AND kind = 'train'
                ORDER BY id LIMIT 1
                """, arguments: [pipeline, sha256, dropId])
        }
    }

    // MARK: Counters

    /// Totals for monitoring (see `PrometheusMetrics`).
    public func counters(pipeline: String) throws -> PipelineCounters {
        try database.read { db in
            var counters = PipelineCounters(pipeline: pipeline)
            for row in try db.fetchAll(sql: "SELECT outcome, count(*) AS n FROM drops WHERE pipeline = ? GROUP BY outcome",
                                        arguments: [pipeline]) {
                counters.drops[row["outcome"]] = row["n"]
            }
            for row in try db.fetchAll(sql: "SELECT status, count(*) AS n FROM runs WHERE pipeline = ? GROUP BY status",
                                        arguments: [pipeline]) {
                counters.runs[row["status"]] = row["n"]
            }
            for row in try db.fetchAll(sql: """
                SELECT s.stage, count(*) AS n, sum(s.duration_ms) AS total FROM stage_runs s JOIN runs r ON r.id = s.run_id
                WHERE r.pipeline = ? AND s.status IN ('succeeded', 'failed') GROUP BY s.stage
                """, arguments: [pipeline]) {
                counters.stageSeconds[row["stage"]] = (row["n"], (row["total"] as Double? ?? 0) / 1000)
            }
            counters.currentVersion = try db.scalar(Int.self, sql: "SELECT version FROM current_models WHERE pipeline = ?",
                                                       arguments: [pipeline])
            counters.lastSuccess = try db.scalar(String.self, sql: """
                SELECT max(ended_at) FROM runs WHERE pipeline = ? AND status = 'approved'
                """, arguments: [pipeline])
            return counters
        }
    }

    // MARK: Reading

    public func pipelines() throws -> [String] {
        try database.read { db in
            try db.column(String.self, sql: "SELECT DISTINCT pipeline FROM drops ORDER BY pipeline")
        }
    }

    public func recentDrops(pipeline: String, limit: Int) throws -> [DropRow] {
        try database.read { db in
            try db.fetchAll(sql: """
                SELECT * FROM drops WHERE pipeline = ? ORDER BY id DESC LIMIT ?
                """, arguments: [pipeline, limit]).map(Self.dropRow)
        }
    }

    public func drop(id: Int64) throws -> DropRow? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT * FROM drops WHERE id = ?", arguments: [id]).map(Self.dropRow)
        }
    }

    static func dropRow(_ row: LedgerRow) throws -> DropRow {
        DropRow(id: row["id"], pipeline: row["pipeline"], fileName: row["file_name"],
                sha256: row["sha256"], sizeBytes: row["size_bytes"], rows: row["rows"],
                receivedAt: row["received_at"], finishedAt: row["finished_at"],
                outcome: try decode(DropOutcome.self, row, "outcome", table: "drops"),
                outcomeReason: row["outcome_reason"], finalPath: row["final_path"],
                deletedAt: row["deleted_at"], deletedReason: row["deleted_reason"])
    }

    public func recentRuns(pipeline: String, limit: Int) throws -> [RunRow] {
        try database.read { db in
            try db.fetchAll(sql: """
                SELECT * FROM runs WHERE pipeline = ? ORDER BY id DESC LIMIT ?
                """, arguments: [pipeline, limit]).map { row in
                let runId: Int64 = row["id"]
                let stages = try db.fetchAll(sql: """
                    SELECT * FROM stage_runs WHERE run_id = ? ORDER BY position
                    """, arguments: [runId]).map { stage in
                    StageRunRow(position: stage["position"], stage: stage["stage"], kind: stage["kind"],
                                pluginVersion: stage["plugin_version"],
                                status: StageStatus(rawValue: stage["status"]) ?? .running,
                                message: stage["message"], durationMs: stage["duration_ms"])
                }
                return RunRow(id: runId, runKey: row["run_key"], dropId: row["drop_id"], pipeline: row["pipeline"],
                              status: try Self.decode(RunStatus.self, row, "status", table: "runs"), message: row["message"],
                              startedAt: row["started_at"], durationMs: row["duration_ms"], stages: stages,
                              host: row["host"])
            }
        }
    }

    public func models(pipeline: String) throws -> [ModelRow] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM models WHERE pipeline = ? ORDER BY id", arguments: [pipeline])
                .map { try Self.modelRow($0, db: db) }
        }
    }

    public func currentModel(pipeline: String) throws -> ModelRow? {
        try database.read { db in
            try db.fetchOne(sql: """
                SELECT m.* FROM current_models c JOIN models m ON m.id = c.model_id WHERE c.pipeline = ?
                """, arguments: [pipeline]).map { try Self.modelRow($0, db: db) }
        }
    }

    public func events(runId: Int64) throws -> [EventRow] {
        try database.read { db in
            try db.fetchAll(sql: "SELECT * FROM events WHERE run_id = ? ORDER BY id", arguments: [runId]).map { row in
                EventRow(at: row["at"], level: try Self.decode(EventLevel.self, row, "level", table: "events"), kind: row["kind"],
                         pipeline: row["pipeline"], runId: row["run_id"], message: row["message"])
            }
        }
    }

    /// A status column's value as its enum.
    /// - Throws: ``LedgerError`` naming the table, column and value: a status
    ///   this sluice does not know (a newer one wrote it) is never guessed.
    static func decode<Value: RawRepresentable>(_ type: Value.Type, _ row: LedgerRow, _ column: String,
                                                table: String) throws -> Value where Value.RawValue == String {
        let text: String? = row[column]
        guard let text, let value = Value(rawValue: text) else {
            throw LedgerError("\(table).\(column) holds '\(text ?? "NULL")', which this sluice does not know "
                              + "(it may have been written by a newer version)")
        }
        return value
    }

    static func modelRow(_ row: LedgerRow, db: any LedgerConnection) throws -> ModelRow {
        let runId: Int64 = row["run_id"]
        var metrics: [String: Double] = [:]
        for metric in try db.fetchAll(sql: """
            SELECT x.name, x.value FROM metrics x JOIN stage_runs s ON s.id = x.stage_run_id
            WHERE x.run_id = ? AND s.kind = 'evaluate'
            """, arguments: [runId]) {
            metrics[metric["name"]] = metric["value"]
        }
        return ModelRow(id: row["id"], runId: runId, pipeline: row["pipeline"], version: row["version"],
                        decision: try Self.decode(Decision.self, row, "decision", table: "models"), reasons: row["reasons"],
                        archivePath: row["archive_path"], archiveSha256: row["archive_sha256"],
                        createdAt: row["created_at"], publication: row["publication"], deletedAt: row["deleted_at"],
                        deletedReason: row["deleted_reason"], identity: row["identity"], metrics: metrics)
    }
}
