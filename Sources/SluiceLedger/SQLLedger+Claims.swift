import SluiceSystem

/// Claims and leases: how several hosts sharing one inbox (and one
/// PostgreSQL ledger) each take a drop exactly once, and take over the
/// drops of a host that died. Lease times are on the database's clock, so
/// hosts whose clocks disagree still agree on when a lease ran out.
extension SQLLedger {
    public func takeClaim(pipeline: String, kind: String, identity: String, inboxPath: String, claimKey: String,
                          host: String, leaseSeconds: Double) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO claims (pipeline, kind, identity, inbox_path, claim_key, host, state, lease_until, claimed_at)
                VALUES (?, ?, ?, ?, ?, ?, 'held', \(db.dialect.nowEpoch) + ?, ?)
                ON CONFLICT (pipeline, identity) DO UPDATE SET
                    kind = excluded.kind, inbox_path = excluded.inbox_path, claim_key = excluded.claim_key,
                    host = excluded.host, state = 'held', lease_until = excluded.lease_until,
                    claimed_at = excluded.claimed_at
                WHERE claims.state = 'done' OR claims.lease_until < \(db.dialect.nowEpoch)
                """, arguments: [pipeline, kind, identity, inboxPath, claimKey, host, leaseSeconds, Timestamp.now()]) == 1
        }
    }

    public func removeClaim(claimKey: String, host: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: "DELETE FROM claims WHERE claim_key = ? AND host = ?", arguments: [claimKey, host])
        }
    }

    public func finishClaims(claimKeys: [String], host: String) throws {
        guard !claimKeys.isEmpty else { return }
        try database.write { db in
            for key in claimKeys {
                try db.executeDeferred(sql: "UPDATE claims SET state = 'done' WHERE claim_key = ? AND host = ? AND state = 'held'",
                               arguments: [key, host])
            }
        }
    }

    public func heldClaims(host: String) throws -> [String] {
        try database.read { db in
            try db.column(String.self, sql: "SELECT claim_key FROM claims WHERE host = ? AND state = 'held' ORDER BY id",
                          arguments: [host])
        }
    }

    public func renewLeases(host: String, leaseSeconds: Double) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE claims SET lease_until = \(db.dialect.nowEpoch) + ? WHERE host = ? AND state = 'held'",
                           arguments: [leaseSeconds, host])
            try db.executeDeferred(sql: "UPDATE lane_leases SET lease_until = \(db.dialect.nowEpoch) + ? WHERE host = ?",
                           arguments: [leaseSeconds, host])
        }
    }

    public func takeExpiredClaims(host: String, leaseSeconds: Double, limit: Int) throws -> [String] {
        try database.write { db in
            // PostgreSQL: rows another host is taking over right now are
            // skipped, not waited for; SQLite has one writer at a time anyway.
            let skipLocked = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            return try db.column(String.self, sql: """
                UPDATE claims SET host = ?, lease_until = \(db.dialect.nowEpoch) + ?, takeovers = takeovers + 1
                WHERE id IN (SELECT id FROM claims WHERE state = 'held' AND lease_until < \(db.dialect.nowEpoch)
                             ORDER BY id LIMIT ?\(skipLocked))
                RETURNING claim_key
                """, arguments: [host, leaseSeconds, limit])
        }
    }

    public func takeLane(_ lane: String, host: String, leaseSeconds: Double) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO lane_leases (lane, host, lease_until) VALUES (?, ?, \(db.dialect.nowEpoch) + ?)
                ON CONFLICT (lane) DO UPDATE SET host = excluded.host, lease_until = excluded.lease_until
                WHERE lane_leases.host IS NULL OR lane_leases.host = excluded.host
                   OR lane_leases.lease_until < \(db.dialect.nowEpoch)
                """, arguments: [lane, host, leaseSeconds]) == 1
        }
    }

    public func heartbeat(host: String, leaseSeconds: Double) throws -> Int {
        try database.write { db in
            try db.executeDeferred(sql: """
                INSERT INTO hosts (host, seen_until, started_at) VALUES (?, \(db.dialect.nowEpoch) + ?, ?)
                ON CONFLICT (host) DO UPDATE SET seen_until = excluded.seen_until
                """, arguments: [host, leaseSeconds, Timestamp.now()])
            return try db.scalar(Int.self, sql: "SELECT count(*) FROM hosts WHERE seen_until >= \(db.dialect.nowEpoch)") ?? 1
        }
    }

    public func releaseLanes(host: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE lane_leases SET host = NULL WHERE host = ?", arguments: [host])
        }
    }

    public func releaseLane(_ lane: String, host: String) throws {
        try database.write { db in
            try db.executeDeferred(sql: "UPDATE lane_leases SET host = NULL WHERE lane = ? AND host = ?", arguments: [lane, host])
        }
    }
}
