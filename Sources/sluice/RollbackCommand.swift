import ArgumentParser
import Foundation
import SluiceDaemon
import SluiceEngine
import SluiceLedger
import SluiceSystem

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Put an earlier approved model back in service.",
        discussion: """
        Without --to, the target is the champion before the current one: the latest model that \
        served before it with a lower version, so rolling back twice goes v3 → v2 → v1. Before \
        anything changes, the target's archive is verified: it must be there, hash to what the \
        ledger recorded when it was published, and every member must match its manifest. Then \
        current.tar.gz is switched and the change recorded in the ledger (action rollback, with \
        --reason and --by), in step even while the daemon publishes at the same moment. The next \
        drop's champion comparison is against the rolled-back model. The metrics file is rewritten.

        Refused, with exit status 1 and nothing changed: an unknown pipeline, no model in \
        service, a version that does not exist or was never approved and published, a missing \
        or altered archive, and the version already in service.

        Example:
          sluice rollback churn --reason "v7 over-predicts churn in the north" --config sluice.yaml
          sluice rollback churn --to 4 --reason "back to the last audited model" --by alice
        """
    )

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The pipeline whose model to roll back.")
    var pipeline: String

    @Option(help: ArgumentHelp("The version to put back in service (default: the champion before the current one).",
                               valueName: "version"))
    var to: Int?

    @Option(help: "Why (recorded in the ledger and shown by `sluice history`).")
    var reason: String

    @Option(help: ArgumentHelp("Who is rolling back (default: your user name).", valueName: "name"))
    var by: String?

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must say why") }
        if let to, to < 1 { throw ValidationError("--to must be a version number (1, 2, …)") }
    }

    func run() throws {
        let logger = options.makeLogger()
        let configuration = try options.load()
        let ledger = try options.existingLedger(configuration, "nothing has been published, so there is nothing to roll back")
        let change: ChampionInterval
        do {
            change = try Rollback(configuration: configuration, ledger: ledger, logger: logger)
                .perform(pipeline: pipeline, to: to, reason: reason, by: by ?? UserName.current())
        } catch let refused as Rollback.Refused {
            throw Failure("rollback refused: \(refused)")
        }
        try MetricsFile.write(configuration: configuration, ledger: ledger)
        FileSystem.writeStandardOutput("\(pipeline): v\(change.fromVersion.map(String.init) ?? "-") → v\(change.version) "
                                       + "(rollback by \(change.by) at \(change.since): \(change.reason))\n")
    }
}
