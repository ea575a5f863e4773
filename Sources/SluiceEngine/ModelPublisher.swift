import Foundation
import SluiceArchive
import SluiceConfig
import SluiceData
import SluiceFormats
import SluiceSystem

/// What goes into a model archive: its members, the data schema and the
/// model card. ``Publication`` writes and publishes it.
enum ModelPublisher {
    /// Archive members: the stages' artifacts, `schema.json`, `metrics.json`,
    /// `MODEL_CARD.md`, the pipeline's config, and `manifest.json` (last,
    /// holding the hashes of all the others).
    static func members(manifest: inout Manifest, artifacts: [(String, [UInt8])], schema: [UInt8],
                        configText: [UInt8], card: String, identity: ModelIdentity.Inputs? = nil) throws -> [ArchiveMember] {
        let encoder = FormatCoding.prettyEncoder()
        var members = artifacts.map { ArchiveMember(name: safeName($0.0), bytes: $0.1) }
        members.append(ArchiveMember(name: "schema.json", bytes: schema))
        members.append(ArchiveMember(name: "metrics.json", bytes: Array(try encoder.encode(manifest.metrics))))
        members.append(ArchiveMember(name: "config/sluice.yaml", bytes: configText))
        members.append(ArchiveMember(name: "MODEL_CARD.md", text: card))
        manifest.files = Dictionary(members.map { ($0.name, ContentHash.sha256($0.bytes)) }) { $1 }
        if let identity { manifest.identity = try Self.identity(identity, files: manifest.files) }
        members.append(ArchiveMember(name: "manifest.json", bytes: Array(try encoder.encode(manifest))))
        return members
    }

    /// The identity of a model with these inputs and member hashes.
    static func identity(_ inputs: ModelIdentity.Inputs, files: [String: String]) throws -> ModelIdentity {
        let outputs = files.filter { !ModelIdentity.runFactMembers.contains($0.key) }
        var identity = ModelIdentity(inputs: inputs, outputs: outputs, digest: "")
        identity.digest = ContentHash.sha256(try identity.canonicalBytes())
        return identity
    }

    /// With a signing key, appends `manifest.sig`: the Ed25519 signature of
    /// `manifest.json`'s bytes (which hold every other member's hash).
    static func signed(_ members: [ArchiveMember], keyFile: String?) throws -> [ArchiveMember] {
        guard let keyFile else { return members }
        guard let manifest = members.first(where: { $0.name == "manifest.json" }) else { return members }
        return members + [ArchiveMember(name: "manifest.sig", bytes: try ManifestSigner(keyFile: keyFile).sign(manifest.bytes))]
    }

    /// Artifact names become archive paths: keep them relative and tame.
    static func safeName(_ name: String) -> String {
        let cleaned = name.split(separator: "/").filter { $0 != ".." && $0 != "." && !$0.isEmpty }.joined(separator: "/")
        return cleaned.isEmpty ? "artifact" : cleaned
    }

    /// The pinned data schema of the drop as ingested: column names, types,
    /// missing counts, and each categorical column's values.
    static func schema(of table: Table, target: String) throws -> [UInt8] {
        let columns = table.columns.map { column -> DataSchema.Column in
            var categories: [String]?
            if case .categorical(let storage) = column.values { categories = storage.dictionary.sorted() }
            return DataSchema.Column(name: column.name, type: column.values.typeName, missing: column.values.missingCount,
                          categories: categories)
        }
        return Array(try FormatCoding.prettyEncoder().encode(DataSchema(target: target, rows: table.rowCount, columns: columns)))
    }

    /// A short human model card.
    static func card(_ manifest: Manifest) -> String {
        var text = """
        # \(manifest.pipeline) v\(manifest.version)

        Task: \(manifest.task), predicting `\(manifest.target)`.
        Trained by sluice \(manifest.sluiceVersion) on \(manifest.createdAt) (run \(manifest.run.key)).

        ## Data
        - Drop: `\(manifest.drop.file)` (\(manifest.drop.rows) rows, \(manifest.drop.sizeBytes) bytes)
        - SHA-256: `\(manifest.drop.sha256)`
        - Holdout: \(Int((manifest.holdoutFraction * 100).rounded()))% of rows, \(manifest.task == "regression" ? "drawn at random (a target with more than 20 values is not stratified)" : "stratified by the target"), seed \(manifest.seed)

        ## Decision
        \(manifest.decision): \(manifest.reasons)

        ## Metrics

        | stage | metric | value |
        | --- | --- | --- |

        """
        for stage in manifest.metrics.keys.sorted() {
            for (name, value) in manifest.metrics[stage]!.sorted(by: { $0.key < $1.key }) where !name.hasPrefix("nulls.") {
                text += "| \(stage) | \(name) | \(String(format: "%.6g", value)) |\n"
            }
        }
        text += "\n## Stages\n\n| stage | plugin | version | sha256 |\n| --- | --- | --- | --- |\n"
        for plugin in manifest.plugins {
            text += "| \(plugin.stage) | \(plugin.name) | \(plugin.version) | `\(plugin.sha256.prefix(16))…` |\n"
        }
        text += "\nFiles: see `manifest.json` for the SHA-256 of every file in this archive.\n"
        return text
    }
}
