import ArgumentParser
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluicePluginHost
import SluiceSystem

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process the drops waiting in every pipeline's inbox.",
        discussion: """
        With --once, sluice claims every file waiting in each pipeline's inbox (by renaming \
        it into work/<run>/), runs the pipeline's stages on it, publishes approved models to \
        the outbox, moves the drop to archive/ (or quarantine/ with a .reason file), and exits. \
        Files whose names start with '.' or end in .tmp or .part are left alone: write to such \
        a name, then rename, and sluice never reads half a file.

        Before claiming anything, every stage's plugin is loaded and checked; a missing or \
        incompatible plugin stops sluice with an error naming the pipeline, stage and config line.

        Exit status: 0 when every drop was processed (approved, rejected or quarantined are all \
        normal outcomes), 1 when sluice itself could not work (bad config, missing plugin, \
        unwritable state folder).
        """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Process what is waiting now, then exit. (The long-running inotify daemon is not built yet.)")
    var once = false

    @Option(help: ArgumentHelp("Only this pipeline.", valueName: "name"))
    var pipeline: String?

    func validate() throws {
        guard once else {
            throw ValidationError("only one-shot mode exists so far: run `sluice serve --once --config FILE`")
        }
    }

    func run() throws {
        let logger = options.makeLogger()
        let configuration = try options.load()
        if let pipeline, configuration.pipeline(named: pipeline) == nil {
            throw ValidationError("no pipeline named '\(pipeline)' in \(configuration.file); it has: "
                                  + configuration.pipelines.map(\.name).joined(separator: ", "))
        }
        do {
            try OneShotServe.prepareFolders(configuration)
            let catalog = try StageCatalog(configuration: configuration, loader: PluginLoader())
            let ledger = try SQLiteLedger(path: configuration.ledgerPath)
            let serve = OneShotServe(configuration: configuration, ledger: ledger, catalog: catalog, logger: logger)
            let summary = try serve.run(only: pipeline)
            let count = summary.outcomes.count
            logger.info("done: \(count) drop\(count == 1 ? "" : "s") — \(summary.approved) approved, \(summary.rejected) rejected, \(summary.quarantined) quarantined")
        } catch {
            logger.error("\(error)")
            throw ExitCode.failure
        }
    }
}
