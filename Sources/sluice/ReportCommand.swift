import ArgumentParser
import SluiceEngine
import SluiceLedger
import SluiceReport
import SluiceSystem

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what the ledger recorded: models, drops, runs and stage timings.",
        discussion: """
        Everything shown comes from the ledger (state_dir/ledger.sqlite), which you can also \
        query directly with sqlite3; docs/ledger.md describes its tables and views.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Only this pipeline (repeatable).", valueName: "name"))
    var pipeline: [String] = []

    @Option(help: "How many recent drops, runs and models to show per pipeline.")
    var limit: Int = 10

    @Option(help: "Output format: text (for people) or json (for programs).")
    var format: Format = .text

    @Option(help: "Width of text output in columns.")
    var width: Int = 80

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if width < 60 { throw ValidationError("--width must be at least 60") }
    }

    func run() throws {
        let configuration = try options.load()
        guard FileSystem.exists(configuration.ledgerPath) else {
            throw CleanExit.message("No ledger at \(configuration.ledgerPath) yet: nothing has been processed. "
                                    + "Run `sluice serve --once --config \(options.config)` first.")
        }
        let ledger = try SQLiteLedger(path: configuration.ledgerPath)
        let names = pipeline.isEmpty ? configuration.pipelines.map(\.name) : pipeline
        let report = try SluiceReport.Report.load(from: ledger, ledgerPath: configuration.ledgerPath,
                                                  pipelines: names, limit: limit, generatedAt: Timestamp.now())
        switch format {
        case .text: FileSystem.writeStandardOutput(report.text(width: width))
        case .json: FileSystem.writeStandardOutput(try report.json())
        }
    }
}
