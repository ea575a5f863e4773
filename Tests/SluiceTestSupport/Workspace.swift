import Foundation
import GRDB
import SluiceLedger
import SluiceSystem

/// Which ledger a ``Workspace`` uses: the SQLite file, or a fresh database on
/// the test PostgreSQL server (``PostgresServer``): the same behaviour tests run on both.
public enum TestLedger: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    public var description: String { rawValue }
}

/// A scratch sluice setup: a config, an inbox with drops, and helpers to run
/// the real `sluice` binary and read the real ledger.
public final class Workspace {
    public let directory = TemporaryDirectory("sluice-e2e")
    public var root: String { directory.path }
    public var config: String { root + "/sluice.yaml" }
    /// The PostgreSQL ledger's URL, when the workspace uses one.
    public let ledgerURL: String?

    /// Writes a config with one `churn` pipeline predicting `target`. `stages` is YAML for the stage list.
    public init(ledger: TestLedger = .sqlite, stages: String = Workspace.stockStages, promotion: String = "min: {auc: 0.6}",
                extra: String = "", pipelineExtra: String = "", target: String = "churned") throws {
        ledgerURL = ledger == .postgres ? try PostgresServer.freshDatabase() : nil
        try directory.write("sluice.yaml", """
            state_dir: .
            plugin_path: [\(BuildProducts.directory)]
            \(ledgerURL.map { "ledger: \($0)" } ?? "")
            \(extra)
            pipelines:
              churn:
                target: \(target)
                seed: 42
            \(pipelineExtra)
                stages:
            \(stages)
                promotion:
                  \(promotion)
            """)
    }

    /// Replaces the config file (atomically) with `text`.
    public func writeConfig(_ text: String) throws {
        try directory.write("sluice.yaml", text)
    }

    public static let stockStages = """
              - plugin: validate
              - plugin: features
              - plugin: train
              - plugin: evaluate
        """

    @discardableResult
    public func drop(_ name: String, _ text: String, pipeline: String = "churn") throws -> String {
        try directory.write("inbox/\(pipeline)/\(name)", text)
    }

    public func serve(environment: [String: String] = [:]) throws -> CommandResult {
        try Command.sluice(["serve", "--once", "--config", config], in: root, environment: environment)
    }

    public func report(_ extra: [String] = []) throws -> CommandResult {
        try Command.sluice(["report", "--config", config] + extra, in: root)
    }

    public func files(_ folder: String) -> [String] {
        ((try? FileSystem.list(root + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// The ledger opened the way `sluice report` opens it: read-only, with a
    /// busy timeout, so a daemon writing at the same moment cannot make a test fail.
    public func ledger() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: root + "/ledger.sqlite", configuration: configuration)
    }

    public func count(_ sql: String, _ arguments: [any LedgerBindable] = []) throws -> Int {
        if let shared = try sharedLedger() {
            return try shared.database.read { db in try db.scalar(Int.self, sql: sql, arguments: arguments) } ?? -1
        }
        return try ledger().read { db in try Int.fetchOne(db, sql: sql, arguments: Self.grdb(arguments)) ?? -1 }
    }

    /// A REAL read as a Double, without SQLite's 15-digit text rounding.
    public func double(_ sql: String, _ arguments: [any LedgerBindable] = []) throws -> Double? {
        if let shared = try sharedLedger() {
            return try shared.database.read { db in try db.scalar(Double.self, sql: sql, arguments: arguments) }
        }
        return try ledger().read { db in try Double.fetchOne(db, sql: sql, arguments: Self.grdb(arguments)) }
    }

    public func strings(_ sql: String, _ arguments: [any LedgerBindable] = []) throws -> [String] {
        if let shared = try sharedLedger() {
            return try shared.database.read { db in try db.column(String.self, sql: sql, arguments: arguments) }
        }
        return try ledger().read { db in try String.fetchAll(db, sql: sql, arguments: Self.grdb(arguments)) }
    }

    /// The PostgreSQL ledger, when the workspace has one (a connection per call: tests read rarely).
    func sharedLedger() throws -> SQLLedger? {
        try ledgerURL.map { try SQLLedger.open($0) }
    }

    static func grdb(_ arguments: [any LedgerBindable]) -> StatementArguments {
        SQLiteLedgerDatabase.statementArguments(arguments)
    }
}
