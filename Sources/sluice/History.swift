import ArgumentParser
import Foundation
import SluiceConfig
import SluiceData
import SluiceEngine
import SluiceLedger
import SluiceSystem

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which model a pipeline served when: every approval, rollback and forced promotion.",
        discussion: """
        One line per change of current.tar.gz, oldest first: version, since, until (or 'in service'), \
        action (approve, rollback, force-promote, auto-rollback), by whom, the version it replaced, the \
        model's key metric, and the reason. With --at, only the model in service at that time (exit \
        status 1 when there was none). Times are UTC, as the ledger stores them; --at also takes an \
        offset (2026-12-01T15:00:00+01:00).

        The same answer in SQL (docs/ledger.md):
          SELECT * FROM champion_history WHERE pipeline = 'churn'
            AND since <= '2026-12-01T14:00:00.000Z' AND (until IS NULL OR until > '2026-12-01T14:00:00.000Z');

        Examples:
          sluice history churn --config sluice.yaml
          sluice history churn --at "2026-12-01 14:00" --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The pipeline.")
    var pipeline: String

    @Option(help: ArgumentHelp("Only the champion at this time.", valueName: "time"))
    var at: String?

    @Option(help: "Output format: text (for people) or json (for programs).")
    var format: Format = .text

    struct Entry: Encodable {
        let interval: ChampionInterval
        let metric: String?
        let value: Double?
        /// When retention deleted this version's archive.
        let deletedAt: String?
    }

    func run() throws {
        let configuration = try options.load()
        guard configuration.pipeline(named: pipeline) != nil else {
            throw Failure("no pipeline named '\(pipeline)' in \(configuration.file); it has: "
                          + configuration.pipelines.map(\.name).joined(separator: ", "))
        }
        let ledger = try options.existingLedger(configuration, "nothing has been published")
        let history = try ledger.championHistory(pipeline: pipeline)
        var intervals = history
        if let at {
            let time = try TimeArgument.parse(at)
            guard let champion = try ledger.champion(pipeline: pipeline, at: time) else {
                let first = history.first.map { "; its first model was put in service at \($0.since)" } ?? "; it has never served one"
                throw Failure("\(pipeline) had no model in service at \(time)\(first)")
            }
            intervals = [champion]
        }
        let entries = try intervals.map { try entry($0, ledger: ledger, configuration: configuration) }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            FileSystem.writeStandardOutput(String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n")
        case .text:
            FileSystem.writeStandardOutput(text(entries))
        }
    }

    private func entry(_ interval: ChampionInterval, ledger: SQLLedger,
                       configuration: SluiceConfiguration) throws -> Entry {
        let model = try ledger.model(pipeline: pipeline, version: interval.version)
        let rules = configuration.pipeline(named: pipeline)?.promotion.rules.map(\.metric) ?? []
        let metric = (rules + ["auc", "accuracy", "rmse", "r2"]).first { model?.metrics[$0] != nil }
        return Entry(interval: interval, metric: metric, value: metric.flatMap { model?.metrics[$0] },
                     deletedAt: model?.deletedAt)
    }

    private func text(_ entries: [Entry]) -> String {
        if entries.isEmpty { return "\(pipeline): no model has been in service yet\n" }
        let count = entries.count
        var out = at.map { "\(pipeline) at \($0):\n" }
            ?? "\(pipeline): \(count) change\(count == 1 ? "" : "s") of the model in service (UTC)\n"
        for entry in entries {
            let i = entry.interval
            let until = i.until ?? "in service"
            let from = i.fromVersion.map { "v\($0)" } ?? "-"
            let metric = entry.metric.map { name in " \(name) " + String(format: "%.4g", entry.value ?? .nan) } ?? ""
            let deleted = entry.deletedAt.map { "  [archive deleted \($0) by retention]" } ?? ""
            out += "  v\(i.version)  \(i.since) → \(until)  \(i.action.rawValue) by \(i.by) (was \(from))\(metric)\(deleted)\n"
            out += "      \(MessageText.escaped(i.reason))\n"
        }
        return out
    }
}
