import Foundation
import Logging
import PostgresNIO

/// The ledger in a PostgreSQL database that several hosts' daemons share
/// (see docs/scale.md), through postgres-nio. The ``Ledger`` protocol is
/// synchronous — workers record their steps as they go — so each process
/// keeps one connection and waits on its futures from the calling thread
/// (never from one of NIO's event-loop threads, which run the connection).
/// A lost connection is opened again at the next use; the call that lost it
/// fails as busy, so a worker's run is retried rather than failed.
public final class PostgresLedgerDatabase: LedgerDatabase, @unchecked Sendable {
    // @unchecked Sendable: the only mutable state, `connection`, is read and
    // written only while `lock` is held.
    public let target: PostgresTarget
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private var nextConnectionId = 0
    /// A read's COMMIT, sent without waiting (a read-only transaction has
    /// nothing to lose, and the connection runs it before whatever comes next).
    private var unwaited: EventLoopFuture<PostgresQueryResult>?
    private let deferred = DeferredStatements()
    private let logger = Logger(label: "sluice.ledger.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    public var dialect: LedgerDialect { .postgres }
    public var location: String { target.description }

    /// How long a statement waits for another transaction's row lock before it fails as busy.
    public static let lockTimeoutSeconds = 10

    /// Connects to `target` and applies pending migrations (one host at a
    /// time: they run under an advisory lock).
    public init(target: PostgresTarget) throws {
        self.target = target
        try withConnection { connection in try PostgresSchema.migrate(connection) }
    }

    public func read<T>(_ body: (any LedgerConnection) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", waitForCommit: false, body)
    }

    public func write<T>(_ body: (any LedgerConnection) throws -> T) throws -> T {
        try transaction("BEGIN", waitForCommit: true, body)
    }

    public func exclusive<T>(lock name: String, _ body: (any LedgerConnection) throws -> T) throws -> T {
        try transaction("BEGIN", waitForCommit: true) { connection in
            try connection.execute(sql: "INSERT INTO ledger_locks (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
                                   arguments: [name])
            _ = try connection.fetchAll(sql: "SELECT name FROM ledger_locks WHERE name = ? FOR UPDATE", arguments: [name])
            return try body(connection)
        }
    }

    public func isBusy(_ error: any Error) -> Bool {
        (error as? PostgresLedgerError)?.isTransient ?? false
    }

    public func appliedMigrations() throws -> [String] {
        try read { db in try db.column(String.self, sql: "SELECT name FROM sluice_migrations ORDER BY applied_order") }
    }

    /// Runs `body` between `begin` and COMMIT (ROLLBACK when it throws).
    /// BEGIN is sent without waiting: the connection keeps statements in
    /// order, so the first statement's answer also says BEGIN went through.
    /// That makes a one-statement read one round trip and a write two.
    private func transaction<T>(_ begin: String, waitForCommit: Bool,
                                _ body: (any LedgerConnection) throws -> T) throws -> T {
        try withConnection { connection in
            let begun = connection.send(begin)
            let result: T
            do {
                result = try body(connection)
                _ = try begun.wait()
            } catch {
                // A deferred statement that failed first is the cause; what followed it only found the transaction aborted.
                var cause = error
                do { try deferred.settle() } catch { cause = error }
                _ = try? connection.execute(sql: "ROLLBACK")   // the error that matters is the one thrown below
                throw cause
            }
            // COMMIT goes out behind the deferred statements: if one of them
            // failed, the transaction is aborted and COMMIT only rolls it back.
            let committed = connection.send("COMMIT")
            do {
                try deferred.settle()
            } catch {
                _ = try? committed.wait()   // a rollback by then
                throw error
            }
            if waitForCommit {
                _ = try committed.wait()
            } else {
                unwaited = committed
            }
            return result
        }
    }

    /// The process's connection (opened on first use, or again after it was
    /// lost), held for the whole of `body`.
    private func withConnection<T>(_ body: (PostgresLedgerConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if connection == nil || connection?.isClosed == true {
            connection = try open()
        }
        do {
            return try body(PostgresLedgerConnection(connection: connection!, logger: logger, target: target, deferred: deferred))
        } catch let error as PostgresLedgerError where error.connectionLost {
            try? connection?.close().wait()   // already broken; the next call opens a new one
            connection = nil
            throw error
        }
    }

    private func open() throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(host: target.host, port: target.port,
                                                             username: target.user, password: try target.password(),
                                                             database: target.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        // Session settings in the startup message: no round trips of their own.
        configuration.options.additionalStartupParameters = [
            ("lock_timeout", "\(Self.lockTimeoutSeconds)s"), ("TimeZone", "UTC"), ("client_min_messages", "warning"),
        ]
        nextConnectionId += 1
        let opened: PostgresConnection
        do {
            opened = try PostgresConnection.connect(on: PostgresConnection.defaultEventLoopGroup.next(),
                                                    configuration: configuration, id: nextConnectionId,
                                                    logger: logger).wait()
        } catch {
            throw PostgresLedgerError(error, doing: "connecting to \(target)")
        }
        return opened
    }

    deinit {
        // postgres-nio requires a connection be closed before it is freed.
        _ = try? unwaited?.wait()
        try? connection?.close().wait()   // the process is done with the ledger; nothing to report
    }

    /// Closes the connection (the next use opens a new one).
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        try? connection?.close().wait()   // closing at shutdown: nothing left to tell
        connection = nil
    }
}
