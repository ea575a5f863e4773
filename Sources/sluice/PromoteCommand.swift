import ArgumentParser
import Foundation
import SluiceDaemon
import SluiceEngine
import SluiceLedger
import SluiceSystem

struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Serve a rejected candidate on purpose (--force), recorded with the rules it failed.",
        discussion: """
        Every rejected candidate that got as far as a model is packaged as \
        outbox/<pipeline>/rejected/<run key>.tar.gz (never pointed at by current.tar.gz). \
        `sluice promote --force` verifies that archive, gives it the pipeline's next version, \
        publishes it as <pipeline>-v<N>.tar.gz (its manifest and model card say it was forced, by \
        whom, why, and which rules it failed), makes it current, and records a force-promote \
        change in the ledger. `sluice rollback` undoes it like any other change.

        Find the run in `sluice report` (its key, or its id). Refused with exit status 1: an \
        unknown pipeline or run, a run that made no model, a model already published, an altered \
        or missing candidate archive.

        Example:
          sluice promote churn --run 20261201T140000Z-churn-3f2a --force \\
              --reason "schema change: every new model loses to the old baseline" --config sluice.yaml
        """
    )

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The pipeline.")
    var pipeline: String

    @Option(name: .customLong("run"), help: ArgumentHelp("The run whose rejected candidate to serve (its key or id).",
                                                         valueName: "run"))
    var runReference: String

    @Flag(help: "Required: say you mean to serve a model its gate rejected.")
    var force = false

    @Option(help: "Why (recorded in the ledger, the manifest and the model card).")
    var reason: String

    @Option(help: ArgumentHelp("Who is promoting (default: your user name).", valueName: "name"))
    var by: String?

    func validate() throws {
        if !force { throw ValidationError("promoting a rejected model needs --force (approved models are published by the daemon)") }
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must say why") }
    }

    func run() throws {
        let logger = options.makeLogger()
        let configuration = try options.load()
        let ledger = try options.existingLedger(configuration, "nothing has been processed")
        let change: ChampionInterval
        do {
            change = try ForcedPromotion(configuration: configuration, ledger: ledger, logger: logger)
                .perform(pipeline: pipeline, run: runReference, reason: reason, by: by ?? UserName.current())
        } catch let refused as Rollback.Refused {
            throw Failure("promotion refused: \(refused)")
        }
        try MetricsFile.write(configuration: configuration, ledger: ledger)
        FileSystem.writeStandardOutput("\(pipeline): v\(change.fromVersion.map(String.init) ?? "-") → v\(change.version) "
                                       + "(force-promote by \(change.by) at \(change.since))\n")
    }
}
