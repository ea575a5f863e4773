import ArgumentParser
import Foundation
import SluiceConfig
import SluiceArchive
import SluiceData
import SluiceEngine
import SluiceFormats
import SluiceLedger
import SluicePluginHost
import SluiceSystem

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what sluice sees in a data file, without running a pipeline.",
        discussion: """
        Reads the file exactly as a drop is read (CSV/TSV, optionally gzip'd; streaming, \
        parallel, SHA-256 in the same read) and prints the inferred schema: per column the \
        type, missing values, min, max and distinct count, then the row count, parse time \
        and MB/s. Distinct counts are exact up to 1,024 values per column, then a \
        HyperLogLog estimate marked ≈ (standard error 0.41%).

        With --pipeline (and --config), also runs that pipeline's validate stage on the \
        file, against the schema pinned in the pipeline's ledger and the current champion's \
        training data, and prints every finding and drift score. Nothing is recorded and \
        the file is not moved.

        Examples:
          sluice inspect inbox/churn/customers-2026-11.csv
          sluice inspect new.csv.gz --config /etc/sluice/sluice.yaml --pipeline churn
        """
    )

    @Argument(help: ArgumentHelp("The data file to inspect.", valueName: "file"))
    var file: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The sluice.yaml naming the pipeline.", valueName: "file"))
    var config: String = "/etc/sluice/sluice.yaml"

    @Option(help: ArgumentHelp("Validate against this pipeline's pinned schema and champion.", valueName: "name"))
    var pipeline: String?

    @Option(help: "Parsing threads (default: every core).")
    var threads: Int?

    func run() throws {
        let drop: DropReader.Result
        do {
            drop = try DropReader.read(file, options: CSVOptions(threads: threads))
        } catch {
            throw Failure("\(error)")
        }
        let table = drop.table
        let stats = drop.statistics
        var out = "\(file)\n"
        out += "  \(table.rowCount) rows × \(table.columns.count) columns, \(Self.megabytes(stats.textBytes)) of text"
        out += stats.rawBytes != stats.textBytes ? " (\(Self.megabytes(stats.rawBytes)) as dropped)\n" : "\n"
        out += "  parsed in \(String(format: "%.3f", stats.seconds)) s = \(String(format: stats.megabytesPerSecond < 10 ? "%.2f" : "%.0f", stats.megabytesPerSecond)) MB/s "
            + "on \(stats.threads) thread\(stats.threads == 1 ? "" : "s")"
            + (stats.rereads > 0 ? ", read \(stats.rereads + 1) times (a column guessed numeric held text)" : "") + "\n"
        out += "  sha256 \(drop.sha256)\n\n"
        out += Self.columnTable(table)
        FileSystem.writeStandardOutput(out)
        if let pipeline { try validate(table: table, sha256: drop.sha256, pipeline: pipeline) }
    }

    static func megabytes(_ bytes: Int64) -> String {
        if bytes < 1000 { return "\(bytes) bytes" }
        return bytes < 100_000 ? String(format: "%.1f KB", Double(bytes) / 1e3) : String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    static func columnTable(_ table: Table) -> String {
        var rows: [[String]] = [["column", "type", "missing", "min", "max", "distinct"]]
        // One column per core: min, max, missing and distinct values are independent per column.
        let summaries = ColumnSummaries(count: table.columns.count)
        DispatchQueue.concurrentPerform(iterations: table.columns.count) { index in
            summaries.cells[index] = summary(table.columns[index], rows: table.rowCount)
        }
        rows += summaries.cells.map { $0! }
        var estimated = false
        for row in rows where row[5].hasPrefix("≈") { estimated = true }
        let widths = (0..<6).map { index in rows.map { $0[index].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { index, cell in
                index == 0 || index == 1 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n" + (estimated
            ? String(format: "  ≈: a HyperLogLog estimate (standard error %.2f%%); exact up to %d distinct values\n",
                     DistinctCount.standardError * 100, DistinctCount.exactLimit)
            : "")
    }

    /// One column's row of the table.
    static func summary(_ column: TableColumn, rows: Int) -> [String] {
        switch column.values {
        case .numeric(let storage):
            var low = Float.infinity, high = -Float.infinity, missing = 0
            for value in storage.values {
                if value.isNaN { missing += 1 } else { low = min(low, value); high = max(high, value) }
            }
            let distinct = DistinctCount(UnsafeBufferPointer(storage.values))
            let present = missing < rows
            return [column.name, "numeric", missingText(missing, rows), present ? "\(low)" : "-", present ? "\(high)" : "-",
                    distinct.exact ? "\(distinct.count)" : "≈\(distinct.count)"]
        case .categorical(let storage):
            let missing = storage.codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
            let sorted = storage.dictionary.sorted()
            return [column.name, "categorical", missingText(missing, rows), sorted.first.map(shown) ?? "-",
                    sorted.last.map(shown) ?? "-", "\(storage.dictionary.count)"]
        }
    }

    /// A categorical value as one table cell: escaped to one line
    /// (``MessageText``), at most 16 characters with "…" when cut.
    static func shown(_ value: String) -> String {
        let text = MessageText.escaped(value)
        return text.count > 16 ? String(text.prefix(15)) + "…" : text
    }

    static func missingText(_ missing: Int, _ rows: Int) -> String {
        rows == 0 ? "0" : "\(missing) (\(String(format: "%.1f", Double(missing) * 100 / Double(rows)))%)"
    }

    /// Runs the pipeline's validate stage on the table, with the pinned schema and champion profile from its ledger.
    func validate(table: Table, sha256: String, pipeline name: String) throws {
        let configuration: SluiceConfiguration
        do { configuration = try ConfigLoader.load(config) } catch { throw Failure("\(error)") }
        guard let pipeline = configuration.pipelines.first(where: { $0.name == name }) else {
            throw Failure("\(config): no pipeline '\(name)'; pipelines are: "
                          + configuration.pipelines.map(\.name).joined(separator: ", "))
        }
        let catalog: StageCatalog
        do { catalog = try StageCatalog(configuration: configuration, loader: PluginLoader(), only: name) } catch {
            throw Failure("\(error)")
        }
        guard let stage = catalog.stages[name]?.first(where: { $0.plugin.kind == .validate }) else {
            throw Failure("pipeline '\(name)' has no validate stage")
        }
        let settings: [String: String] = [
            "pipeline": name, "task": pipeline.task.rawValue, "target": pipeline.target, "seed": String(pipeline.seed),
            "drop_name": FileSystem.baseName(file), "drop_sha256": sha256, "run_id": "inspect",
            "holdout_fraction": String(pipeline.holdoutFraction),
        ]
        let host = StageHost(table: table, roles: [UInt8](repeating: 0, count: table.rowCount), settings: settings)
        var against = "no pinned schema yet (the pipeline's first approved drop pins it)"
        if (configuration.sharedLedger || FileSystem.exists(configuration.ledgerPath)) {
            let ledger = try SQLLedger.open(configuration.ledgerLocation)
            against = try References(pipeline: pipeline, ledger: ledger).putSchemaAndProfile(into: host)
        }
        let result = host.run(stage.plugin, params: stage.configuration.params, observer: nil)
        var out = "\nvalidate (\(stage.plugin.name) \(stage.plugin.version)) for pipeline \(name), against \(against):\n"
        if let bytes = host.artifact("findings.json"), let findings = try? Finding.decodeList(bytes) {
            if findings.isEmpty { out += "  no findings\n" }
            for finding in findings {
                out += "  \(finding.severity.padding(toLength: 7, withPad: " ", startingAt: 0)) \(finding.kind)"
                    + "\(finding.column.map { " [\($0)]" } ?? ""): \(finding.message)\n"
            }
        }
        if let bytes = host.artifact("drift.json"), let drift = try? DriftReport.decode(bytes) {
            out += "  drift: \(String(format: "%.0f", drift.driftedShare * 100))% of features drifted\n"
            let width = drift.scores.map(\.column.count).max() ?? 0
            for score in drift.scores {
                out += "    \(score.column.padding(toLength: width, withPad: " ", startingAt: 0)) \(score.measure) "
                    + String(format: "%.4f (threshold %.2f)", score.score, score.threshold) + (score.drifted ? "  DRIFTED" : "") + "\n"
            }
        }
        switch result.status {
        case .failed(let message): out += "  the stage failed: \(message)\n"
        default:
            if case .reject? = result.verdict { out += "  verdict: this drop would be REJECTED\n" } else {
                out += "  verdict: this drop would pass validation\n"
            }
        }
        FileSystem.writeStandardOutput(out)
    }
}
