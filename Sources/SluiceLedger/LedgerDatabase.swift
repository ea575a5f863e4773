/// Where the ledger's tables live: one SQLite file (``SQLiteLedgerDatabase``) or a
/// PostgreSQL server many hosts share (``PostgresLedgerDatabase``). ``SQLLedger``
/// speaks to either through this, with the same statements.
public protocol LedgerDatabase: Sendable {
    var dialect: LedgerDialect { get }
    /// A consistent read: every statement in `body` sees one snapshot.
    func read<T>(_ body: (any LedgerConnection) throws -> T) throws -> T
    /// One transaction: all of `body` or none of it.
    func write<T>(_ body: (any LedgerConnection) throws -> T) throws -> T
    /// A transaction that first takes the lock named `lock` and holds it to
    /// the end, so two processes (or hosts) doing the same never interleave:
    /// SQLite's write lock (`BEGIN IMMEDIATE`); in PostgreSQL a row lock on
    /// `ledger_locks`, one row per name (e.g. a pipeline's versions).
    func exclusive<T>(lock: String, _ body: (any LedgerConnection) throws -> T) throws -> T
    /// Whether `error` means the database was too busy (locked, a
    /// serialization failure, a lost connection): a reason to retry, not a verdict.
    func isBusy(_ error: any Error) -> Bool
    /// Names of the applied migrations, oldest first.
    func appliedMigrations() throws -> [String]
    /// Where it is, for messages (a path, or a URL without its password).
    var location: String { get }
}
