import ArgumentParser
import Foundation
import SluiceConfig
import SluiceLedger
import SluiceSystem

struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Trace a model back to its drops, or a drop forward to every model trained on it.",
        discussion: """
        For a model — given as an archive file, its SHA-256, or PIPELINE:VERSION — prints the \
        drops it trained on (its own first, then the training window's, with row counts and where \
        each drop is now), the run, every stage with its plugin, version, .so SHA-256, duration \
        and metrics, the archive, and every approval, rollback or forced promotion that made it \
        current or replaced it.

        With --drop SHA256 (a drop's content hash, as `sluice report` and archive/ show it), \
        prints every model trained on that drop, as its own or in a window, and whether one of \
        them is in service now — the question to ask when a drop turns out to be bad.

        Examples:
          sluice lineage churn:3 --config sluice.yaml
          sluice lineage outbox/churn/current.tar.gz --config sluice.yaml --format json
          sluice lineage --drop 9f2c…e1 --config sluice.yaml
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: ConfigOptions

    @Argument(help: ArgumentHelp("The model: an archive, its SHA-256, or PIPELINE:VERSION.", valueName: "model"))
    var model: String?

    @Option(help: ArgumentHelp("Instead: every model trained on the drop with this SHA-256.", valueName: "sha256"))
    var drop: String?

    @Option(help: "Output format: text (for people) or json (for programs).")
    var format: Format = .text

    func validate() throws {
        if (model == nil) == (drop == nil) { throw ValidationError("give a model (archive, SHA-256 or PIPELINE:VERSION) or --drop SHA256") }
    }

    func run() throws {
        let configuration = try options.load()
        let ledger = try options.existingLedger(configuration, "nothing has been processed")
        if let drop {
            let uses = try ledger.models(trainedOnDrop: drop.lowercased())
            try output(uses) { LineageText.dropUses(uses, sha256: drop) }
            return
        }
        let row = try resolve(model!, ledger: ledger)
        guard let lineage = try ledger.lineage(modelId: row.id) else { throw Failure("model \(row.id) vanished from the ledger") }
        try output(lineage) { LineageText.model(lineage) }
    }

    private func output<Value: Encodable>(_ value: Value, text: () -> String) throws {
        switch format {
        case .text: FileSystem.writeStandardOutput(text())
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            FileSystem.writeStandardOutput(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
        }
    }

    /// An archive path, an archive SHA-256 or PIPELINE:VERSION, to its model row.
    private func resolve(_ text: String, ledger: SQLLedger) throws -> ModelRow {
        if FileSystem.exists(text) {
            let path = FileSystem.realPath(text) ?? text
            let sha256 = try ContentHash.sha256(file: path)
            if let row = try ledger.model(archiveSHA256: sha256) { return row }
            throw Failure("\(text): the ledger has no model whose archive has sha256 \(sha256) (a copy that changed?)")
        }
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            if let row = try ledger.model(archiveSHA256: text.lowercased()) { return row }
            throw Failure("no model archive with sha256 \(text) in the ledger (for a drop's hash, use --drop)")
        }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let version = Int(parts[1].hasPrefix("v") ? String(parts[1].dropFirst()) : parts[1]) else {
            throw Failure("'\(text)' is not an archive file, an archive SHA-256 or PIPELINE:VERSION (e.g. churn:3)")
        }
        guard let row = try ledger.model(pipeline: parts[0], version: version) else {
            throw Failure("\(parts[0]) has no v\(version) in the ledger")
        }
        return row
    }
}
