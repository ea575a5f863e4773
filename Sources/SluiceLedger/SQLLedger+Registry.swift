import SluiceSystem

/// The registry side of the ledger: who served when, and changing it.
extension SQLLedger {
    public func changeChampion(pipeline: String, toModelId: Int64, action: ChampionAction, reason: String,
                               by: String) throws -> ChampionInterval {
        // The pipeline's champion lock is held from reading the current model
        // to recording the change, so a publication cannot slip in between.
        try database.exclusive(lock: "champion:" + pipeline) { db in
                let current = try db.scalar(Int64.self, sql: "SELECT model_id FROM current_models WHERE pipeline = ?",
                                                 arguments: [pipeline])
                if current == toModelId {
                    let version = try db.scalar(Int.self, sql: "SELECT version FROM models WHERE id = ?", arguments: [toModelId])
                    throw LedgerError("\(pipeline) v\(version.map(String.init) ?? "?") is already the model in service")
                }
                try Self.insertChange(db, pipeline: pipeline, from: current, to: toModelId, action: action,
                                      reason: reason, by: by)
            return try Self.intervals(db, pipeline: pipeline).last!
        }
    }

    static func insertChange(_ db: any LedgerConnection, pipeline: String, from: Int64?, to: Int64, action: ChampionAction,
                             reason: String, by: String) throws {
        // A clock set back must not make a change start before the one it
        // follows: intervals stay in the order of the changes (their ids).
        let last = try db.scalar(String.self, sql: "SELECT max(at) FROM champion_changes WHERE pipeline = ?",
                                       arguments: [pipeline])
        let now = Timestamp.now()
        let at = last.map { Swift.max($0, now) } ?? now
        try db.executeDeferred(sql: """
            INSERT INTO champion_changes (pipeline, from_model_id, to_model_id, action, reason, by_name, at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [pipeline, from, to, action.rawValue, reason, by, at])
    }

    public func championHistory(pipeline: String) throws -> [ChampionInterval] {
        try database.read { db in try Self.intervals(db, pipeline: pipeline) }
    }

    public func champion(pipeline: String, at time: String) throws -> ChampionInterval? {
        try database.read { db in
            try db.fetchOne(sql: """
                SELECT * FROM champion_history
                WHERE pipeline = ? AND since <= ? AND (until IS NULL OR until > ?)
                ORDER BY change_id DESC LIMIT 1
                """, arguments: [pipeline, time, time]).map(Self.interval)
        }
    }

    public func model(pipeline: String, version: Int) throws -> ModelRow? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT * FROM models WHERE pipeline = ? AND version = ?",
                             arguments: [pipeline, version]).map { try Self.modelRow($0, db: db) }
        }
    }

    static func intervals(_ db: any LedgerConnection, pipeline: String) throws -> [ChampionInterval] {
        try db.fetchAll(sql: "SELECT * FROM champion_history WHERE pipeline = ? ORDER BY change_id",
                         arguments: [pipeline]).map(interval)
    }

    static func interval(_ row: LedgerRow) throws -> ChampionInterval {
        ChampionInterval(changeId: row["change_id"], pipeline: row["pipeline"], modelId: row["model_id"],
                         version: row["version"], fromVersion: row["from_version"],
                         action: try decode(ChampionAction.self, row, "action", table: "champion_changes"),
                         reason: row["reason"], by: row["by_name"], since: row["since"], until: row["until"])
    }

    public func reserveForcedPublication(modelId: Int64, pipeline: String,
                                         archivePath: (Int) -> String) throws -> PendingPublication {
        try database.exclusive(lock: "versions:" + pipeline) { db in
                let version = try Self.nextVersion(db, pipeline: pipeline)
                let path = archivePath(version)
                let changed = try db.execute(sql: """
                    UPDATE models SET version = ?, archive_path = ?, archive_sha256 = NULL, publication = 'publishing'
                    WHERE id = ? AND pipeline = ? AND version IS NULL
                    """, arguments: [version, path, modelId, pipeline])
                guard changed == 1 else {
                    throw LedgerError("model \(modelId) of \(pipeline) already has a version; it cannot be promoted again")
                }
                let row = try db.fetchOne(sql: "SELECT run_id, reasons FROM models WHERE id = ?", arguments: [modelId])
                return PendingPublication(modelId: modelId, runId: row?["run_id"] ?? 0, pipeline: pipeline,
                                          version: version, archivePath: path, reasons: row?["reasons"] ?? "")
        }
    }

    public func model(runId: Int64) throws -> ModelRow? {
        try database.read { db in
            try db.fetchOne(sql: "SELECT * FROM models WHERE run_id = ?", arguments: [runId])
                .map { try Self.modelRow($0, db: db) }
        }
    }

    public func recordModelIdentity(modelId: Int64, digest: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE models SET identity = ? WHERE id = ?", arguments: [digest, modelId])
        }
    }
}
