import ArgumentParser
import SluiceEngine
import SluiceLedger
import SluiceReport
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what the ledger recorded: models, gates, data, what the model in service did, drops and runs.",
        discussion: """
        Everything shown comes from the ledger (state_dir/ledger.sqlite), read-only: running it \
        while the daemon works never blocks it. Text is for people (coloured only on a \
        terminal, never with NO_COLOR); --format json is the document sluice.report/1; \
        --format csv --table runs|models|drops|findings|drift is one table for spreadsheets; \
        --format html --output FILE is one self-contained page with charts (no scripts, no \
        network). --since 7d (or 12h, 30m, a date) limits every format to a window. The views \
        the report reads (runs_overview, model_versions, quarantine, drift_by_drop, \
        champion_history) can be queried directly with sqlite3: docs/report.md, docs/ledger.md.

        Examples:
          sluice report --config sluice.yaml
          sluice report --config sluice.yaml --format html --output report.html --since 30d
          sluice report --config sluice.yaml --format csv --table runs > runs.csv
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, csv, html
    }

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Only this pipeline (repeatable).", valueName: "name"))
    var pipeline: [String] = []

    @Option(help: "How many recent drops, runs and models to show per pipeline.")
    var limit: Int = 10

    @Option(help: "Output format: text (for people), json (for programs, format sluice.report/1), csv (one --table) or html (one self-contained page; with --output).")
    var format: Format = .text

    @Option(help: ArgumentHelp("With --format csv: runs, models, drops, findings or drift.", valueName: "table"))
    var table: String?

    @Option(help: ArgumentHelp("Only what happened since: 7d, 12h, 30m, or a time (2026-12-01, 2026-12-01T14:00:00Z).",
                               valueName: "when"))
    var since: String?

    @Option(help: ArgumentHelp("Write to this file (safely) instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Width of text output in columns.")
    var width: Int = 80

    func validate() throws {
        if format == .csv && table == nil { throw ValidationError("--format csv needs --table (runs, models, drops, findings or drift)") }
        if format != .csv && table != nil { throw ValidationError("--table works only with --format csv") }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if width < 60 { throw ValidationError("--width must be at least 60") }
    }

    func run() throws {
        let configuration = try options.load()
        guard (configuration.sharedLedger || FileSystem.exists(configuration.ledgerPath)) else {
            throw CleanExit.message("No ledger at \(configuration.ledgerPath) yet: nothing has been processed. "
                                    + "Run `sluice serve --once --config \(options.config)` first.")
        }
        let ledger = try SQLLedger.open(configuration.ledgerLocation)
        let names = pipeline.isEmpty ? configuration.pipelines.map(\.name) : pipeline
        let start = try since.map(Self.parseSince)
        if format == .csv, let table {
            let result: (columns: [String], rows: [[String]])
            do { result = try ledger.reportTable(table, pipelines: names, since: start) } catch let error as LedgerError {
                throw Failure("\(error)")
            }
            FileSystem.writeStandardOutput(([result.columns] + result.rows)
                .map { $0.map(CSVText.quoted).joined(separator: ",") }.joined(separator: "\n") + "\n")
            return
        }
        let report = try SluiceReport.Report.load(from: ledger, ledgerPath: configuration.ledgerLocation,
                                                  pipelines: names, limit: limit, generatedAt: Timestamp.now(), since: start)
        let text: String
        switch format {
        case .text: text = output == nil && Self.colour ? Self.coloured(report.text(width: width)) : report.text(width: width)
        case .json: text = try report.json()
        case .html: text = report.html()
        case .csv: return
        }
        if let output {
            try FileSystem.createDirectory(FileSystem.directory(of: FileSystem.absolute(output)))
            try FileSystem.writeAtomically(text, to: output)
            FileSystem.writeStandardError("wrote \(output) (\(text.utf8.count / 1024) KiB)\n")
        } else {
            FileSystem.writeStandardOutput(text)
        }
    }

    /// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
    static var colour: Bool {
        guard isatty(1) == 1 else { return false }
        guard let value = getenv("NO_COLOR") else { return true }
        return String(cString: value).isEmpty   // set but empty does not count (no-color.org)
    }

    /// Passing rules green, failing ones and drifted features red (the words stay: colour is never the only sign).
    static func coloured(_ text: String) -> String {
        text.replacingOccurrences(of: "  pass  ", with: "  \u{1b}[32mpass\u{1b}[0m  ")
            .replacingOccurrences(of: "  FAIL  ", with: "  \u{1b}[31mFAIL\u{1b}[0m  ")
            .replacingOccurrences(of: " DRIFTED", with: " \u{1b}[31mDRIFTED\u{1b}[0m")
    }

    /// `7d`, `12h`, `30m` before now, or a time.
    static func parseSince(_ text: String) throws -> String {
        let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60]
        if let unit = text.last, let seconds = units[unit], let count = Double(text.dropLast()), count >= 0 {
            return Timestamp.iso8601(seconds: Timestamp.unixNow() - count * seconds)
        }
        return try TimeArgument.parse(text)
    }
}
