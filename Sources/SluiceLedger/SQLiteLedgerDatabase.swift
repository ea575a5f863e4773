import GRDB
import SluiceSystem

/// The ledger in one SQLite file: WAL journal (readers never block the
/// writer), foreign keys on, a busy timeout so the daemon and its workers can
/// write from separate processes, and the migrations of ``LedgerSchema``.
public final class SQLiteLedgerDatabase: LedgerDatabase {
    /// Path of the database file.
    public let path: String
    let pool: DatabasePool

    public var dialect: LedgerDialect { .sqlite }
    public var location: String { path }

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Double(Self.busyTimeoutSeconds))
        configuration.label = "sluice.ledger"
        try FileSystem.createDirectory(FileSystem.directory(of: path))
        // Opening switches a new file to WAL (`PRAGMA journal_mode = WAL`,
        // which SQLite answers with "database is locked" at once, busy timeout
        // or not, while another process does the same), and GRDB reads the
        // applied migrations before it takes the write lock, so two processes
        // opening a new ledger at once would collide or both create its
        // tables: a lock file beside it makes open-and-migrate one step.
        pool = try FileLock.withExclusive(path + ".migrate-lock") {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try LedgerSchema.migrator.migrate(pool)
            return pool
        }
    }

    /// How long a write waits for another process's write lock before it fails as busy.
    public static let busyTimeoutSeconds = 10

    public func read<T>(_ body: (any LedgerConnection) throws -> T) throws -> T {
        try pool.read { db in try body(GRDBConnection(db: db)) }
    }

    public func write<T>(_ body: (any LedgerConnection) throws -> T) throws -> T {
        try pool.write { db in try body(GRDBConnection(db: db)) }
    }

    public func exclusive<T>(lock: String, _ body: (any LedgerConnection) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            var result: T?
            // IMMEDIATE: the write lock is taken before the first read, so no
            // other process can write in between (one lock for every name).
            try db.inTransaction(.immediate) {
                result = try body(GRDBConnection(db: db))
                return .commit
            }
            return result!
        }
    }

    public func isBusy(_ error: any Error) -> Bool { Self.isBusyError(error) }

    /// Whether `error` is SQLite's `SQLITE_BUSY` or `SQLITE_LOCKED`.
    public static func isBusyError(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try LedgerSchema.migrator.appliedMigrations(db) }
    }

    /// Statement arguments as GRDB takes them (for code reading the SQLite file directly).
    public static func statementArguments(_ values: [any LedgerBindable]) -> StatementArguments {
        GRDBConnection.arguments(values)
    }

    /// The journal mode SQLite reports (`wal` once opened).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// `EXPLAIN QUERY PLAN` of `sql`, one detail per step.
    public func queryPlan(_ sql: String, arguments: [any LedgerBindable]) throws -> String {
        try pool.read { db in
            try GRDBConnection(db: db).fetchAll(sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
        }
    }
}
