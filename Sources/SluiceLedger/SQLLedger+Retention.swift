import SluiceSystem

/// What retention reads and the tombstones it writes.
extension SQLLedger {
    public func archivedDrops(pipeline: String) throws -> [DropRow] {
        try recentDrops(pipeline: pipeline, limit: Int.max)
            .filter { $0.outcome == .archived && $0.finalPath != nil && $0.deletedAt == nil }
    }

    public func trainingDropIds(modelId: Int64) throws -> [Int64] {
        try database.read { db in
            let runId = try db.scalar(Int64.self, sql: "SELECT run_id FROM models WHERE id = ?", arguments: [modelId])
            guard let runId else { return [] }
            let ids = try db.column(Int64.self, sql: "SELECT drop_id FROM run_inputs WHERE run_id = ? ORDER BY position",
                                         arguments: [runId])
            if !ids.isEmpty { return ids }
            return try db.column(Int64.self, sql: "SELECT drop_id FROM runs WHERE id = ?", arguments: [runId])
        }
    }

    public func markModelDeleted(id: Int64, reason: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE models SET deleted_at = ?, deleted_reason = ? WHERE id = ? AND deleted_at IS NULL",
                           arguments: [Timestamp.now(), reason, id])
        }
    }

    public func markDropDeleted(id: Int64, reason: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE drops SET deleted_at = ?, deleted_reason = ? WHERE id = ? AND deleted_at IS NULL",
                           arguments: [Timestamp.now(), reason, id])
        }
    }
}
