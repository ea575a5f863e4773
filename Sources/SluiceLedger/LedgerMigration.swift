/// `sluice ledger migrate`: copies a single-host SQLite ledger into an empty
/// PostgreSQL one, table by table with their ids (so every reference stays
/// true), in one transaction, then checks each table's row count on both sides.
public enum LedgerMigration {
    /// Tables in the order their references need (a row's targets first).
    public static let tables = [
        "drops", "runs", "stage_runs", "metrics", "models", "events", "gate_rules", "findings", "drop_profiles",
        "schemas", "drift_scores", "run_inputs", "champion_changes", "scoring_runs", "predictions",
        "realized_metrics", "monitor_actions", "claims", "lane_leases", "hosts",
    ]

    /// One table copied: rows read from the source and counted in the target.
    public struct Copied: Sendable {
        public let table: String
        public let source: Int
        public let target: Int
    }

    /// Copies `source` into `target`.
    /// - Throws: ``LedgerError`` when the target already holds drops, or a count differs afterwards.
    public static func copy(from source: SQLLedger, to target: SQLLedger,
                            progress: (String, Int) -> Void = { _, _ in }) throws -> [Copied] {
        guard target.database.dialect == .postgres else {
            throw LedgerError("the target must be a PostgreSQL ledger (postgres://USER@HOST:PORT/DATABASE)")
        }
        let existing = try target.database.read { db in try db.scalar(Int.self, sql: "SELECT count(*) FROM drops") ?? 0 }
        guard existing == 0 else {
            throw LedgerError("\(target.database.location) already holds \(existing) drops; migrate into an empty database")
        }
        try target.database.write { db in
            for table in tables {
                let types = try columnTypes(table, db: db)
                let rows = try source.database.read { from in try from.fetchAll(sql: "SELECT * FROM \(table)") }
                for row in rows {
                    let columns = row.columns.filter { types[$0] != nil }
                    let values = columns.map { binding(row.value($0), as: types[$0]!) }
                    try db.execute(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
                                   + columns.map { _ in "?" }.joined(separator: ", ") + ")", arguments: values)
                }
                if types["id"] != nil {
                    // Identity columns continue after the copied ids.
                    try db.execute(sql: """
                        SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE(max(id), 1), max(id) IS NOT NULL)
                        FROM \(table)
                        """)
                }
                progress(table, rows.count)
            }
        }
        return try tables.map { table in
            let count = "SELECT count(*) FROM \(table)"
            let copied = Copied(table: table,
                                source: try source.database.read { try $0.scalar(Int.self, sql: count) ?? -1 },
                                target: try target.database.read { try $0.scalar(Int.self, sql: count) ?? -1 })
            guard copied.source == copied.target else {
                throw LedgerError("\(table): \(copied.source) rows in the source but \(copied.target) in the target")
            }
            return copied
        }
    }

    /// The target's column types of `table` (integer, real or text).
    static func columnTypes(_ table: String, db: any LedgerConnection) throws -> [String: LedgerBinding] {
        var types: [String: LedgerBinding] = [:]
        for row in try db.fetchAll(sql: "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
                                   arguments: [table]) {
            let type: String = row["data_type"]
            types[row["column_name"]] = switch type {
            case "bigint", "integer", "smallint": .integer(nil)
            case "double precision", "real", "numeric": .real(nil)
            default: .text(nil)
            }
        }
        return types
    }

    /// `value` bound as the target column's type.
    static func binding(_ value: LedgerValue, as type: LedgerBinding) -> any LedgerBindable {
        switch type {
        case .integer: Int64.decode(value) as Int64?
        case .real: Double.decode(value) as Double?
        case .text: String.decode(value) as String?
        }
    }
}
