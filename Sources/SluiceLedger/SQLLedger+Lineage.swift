
/// Lineage both ways: a model back to its drops, a drop forward to its models.
extension SQLLedger {
    public func lineage(modelId: Int64) throws -> ModelLineage? {
        try database.read { db in
            guard let row = try db.fetchOne(sql: """
                SELECT m.id, m.pipeline, m.version, m.decision, m.publication, m.reasons, m.archive_path,
                       m.archive_sha256, m.identity, m.deleted_at, m.deleted_reason, r.id AS run_id, r.run_key, r.status, r.started_at, r.duration_ms, r.seed,
                       r.config_sha256
                FROM models m JOIN runs r ON r.id = m.run_id WHERE m.id = ?
                """, arguments: [modelId]) else { return nil }
            let runId: Int64 = row["run_id"]
            let pipeline: String = row["pipeline"]
            let current = try db.scalar(Int64.self, sql: "SELECT model_id FROM current_models WHERE pipeline = ?",
                                             arguments: [pipeline])
            let changes = try db.fetchAll(sql: """
                SELECT h.* FROM champion_history h JOIN champion_changes c ON c.id = h.change_id
                WHERE c.to_model_id = ? OR c.from_model_id = ? ORDER BY h.change_id
                """, arguments: [modelId, modelId]).map(Self.interval)
            return ModelLineage(
                modelId: modelId, pipeline: pipeline, version: row["version"], decision: row["decision"],
                publication: row["publication"], reasons: row["reasons"], archivePath: row["archive_path"],
                archiveSHA256: row["archive_sha256"], identity: row["identity"], deletedAt: row["deleted_at"], deletedReason: row["deleted_reason"],
                runId: runId, runKey: row["run_key"], runStatus: row["status"],
                startedAt: row["started_at"], durationMs: row["duration_ms"], seed: row["seed"],
                configSHA256: row["config_sha256"], inputs: try Self.inputDrops(db, runId: runId),
                stages: try Self.stages(db, runId: runId), changes: changes, inService: current == modelId)
        }
    }

    static func inputDrops(_ db: any LedgerConnection, runId: Int64) throws -> [ModelLineage.InputDrop] {
        var inputs = try db.fetchAll(sql: """
            SELECT i.position, i.rows AS input_rows, d.* FROM run_inputs i JOIN drops d ON d.id = i.drop_id
            WHERE i.run_id = ? ORDER BY i.position
            """, arguments: [runId]).map { row in
            ModelLineage.InputDrop(dropId: row["id"], position: row["position"], rows: row["input_rows"],
                                   fileName: row["file_name"], sha256: row["sha256"], receivedAt: row["received_at"],
                                   outcome: row["outcome"], finalPath: row["final_path"], deletedAt: row["deleted_at"])
        }
        if inputs.isEmpty, let row = try db.fetchOne(sql: """
            SELECT d.* FROM runs r JOIN drops d ON d.id = r.drop_id WHERE r.id = ?
            """, arguments: [runId]) {
            // Runs from before run_inputs (v4) trained on their own drop only.
            inputs = [ModelLineage.InputDrop(dropId: row["id"], position: 0, rows: Int(row["rows"] as Int64? ?? 0),
                                             fileName: row["file_name"], sha256: row["sha256"],
                                             receivedAt: row["received_at"], outcome: row["outcome"],
                                             finalPath: row["final_path"], deletedAt: row["deleted_at"])]
        }
        return inputs
    }

    static func stages(_ db: any LedgerConnection, runId: Int64) throws -> [ModelLineage.Stage] {
        try db.fetchAll(sql: "SELECT * FROM stage_runs WHERE run_id = ? ORDER BY position", arguments: [runId]).map { row in
            let stageRunId: Int64 = row["id"]
            var metrics: [String: Double] = [:]
            for metric in try db.fetchAll(sql: "SELECT name, value FROM metrics WHERE stage_run_id = ?",
                                           arguments: [stageRunId]) {
                metrics[metric["name"]] = metric["value"]
            }
            return ModelLineage.Stage(position: row["position"], stage: row["stage"], kind: row["kind"],
                                      pluginName: row["plugin_name"], pluginVersion: row["plugin_version"],
                                      pluginSHA256: row["plugin_sha256"], status: row["status"],
                                      durationMs: row["duration_ms"], metrics: metrics)
        }
    }

    public func models(trainedOnDrop sha256: String) throws -> [DropUse] {
        try database.read { db in
            try db.fetchAll(sql: """
                SELECT d.pipeline, d.id AS drop_id, d.file_name, m.id AS model_id, m.version, m.decision, r.run_key,
                       i.position, (c.model_id IS NOT NULL) AS in_service
                FROM drops d
                JOIN run_inputs i ON i.drop_id = d.id
                JOIN runs r ON r.id = i.run_id
                JOIN models m ON m.run_id = r.id
                LEFT JOIN current_models c ON c.model_id = m.id
                WHERE d.sha256 = ?
                ORDER BY m.id
                """, arguments: [sha256]).map { row in
                DropUse(pipeline: row["pipeline"], dropId: row["drop_id"], fileName: row["file_name"],
                        modelId: row["model_id"], version: row["version"], decision: row["decision"],
                        runKey: row["run_key"], position: row["position"], inService: row["in_service"])
            }
        }
    }

    public func model(archiveSHA256 sha256: String) throws -> ModelRow? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT * FROM models WHERE archive_sha256 = ? ORDER BY id DESC LIMIT 1",
                             arguments: [sha256]).map { try Self.modelRow($0, db: db) }
        }
    }
}
