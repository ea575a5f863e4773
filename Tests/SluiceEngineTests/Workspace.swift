import Foundation
import GRDB
import SluiceSystem
import SluiceTestSupport

/// A scratch sluice setup: a config, an inbox with drops, and helpers to run
/// the real `sluice` binary and read the real ledger.
final class Workspace {
    let directory = TemporaryDirectory("sluice-e2e")
    var root: String { directory.path }
    var config: String { root + "/sluice.yaml" }

    /// Writes a config with one `churn` pipeline. `stages` is YAML for the stage list.
    init(stages: String = Workspace.stockStages, promotion: String = "min: {auc: 0.6}") throws {
        try directory.write("sluice.yaml", """
            state_dir: .
            plugin_path: [\(BuildProducts.directory)]
            pipelines:
              churn:
                target: churned
                seed: 42
                stages:
            \(stages)
                promotion:
                  \(promotion)
            """)
    }

    static let stockStages = """
              - plugin: validate
              - plugin: features
              - plugin: train
              - plugin: evaluate
        """

    @discardableResult
    func drop(_ name: String, _ text: String) throws -> String {
        try directory.write("inbox/churn/\(name)", text)
    }

    func serve() throws -> CommandResult {
        try Command.sluice(["serve", "--once", "--config", config], in: root)
    }

    func report(_ extra: [String] = []) throws -> CommandResult {
        try Command.sluice(["report", "--config", config] + extra, in: root)
    }

    func files(_ folder: String) -> [String] {
        ((try? FileSystem.list(root + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }
    }

    func ledger() throws -> DatabaseQueue {
        try DatabaseQueue(path: root + "/ledger.sqlite")
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try ledger().read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1 }
    }

    func strings(_ sql: String, _ arguments: StatementArguments = []) throws -> [String] {
        try ledger().read { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
    }
}
