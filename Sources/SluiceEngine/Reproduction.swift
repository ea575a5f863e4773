import Foundation
import Logging
import SluiceArchive
import SluiceConfig
import SluiceFormats
import SluiceLedger
import SluicePluginHost
import SluiceSystem

/// `sluice verify --reproduce`: re-runs an archive's recorded inputs — its
/// drops from `archive/` by hash, its own config snapshot, the plugins of
/// the current plugin path checked by hash, the pinned schema and champion it
/// saw — in a scratch state folder (nothing else is touched; the folder is
/// removed afterwards), then compares what came out with the archive's
/// identity: identical, or the first thing that differs and why.
public struct Reproduction {
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public struct Result: Sendable {
        public let identical: Bool
        public let lines: [String]
    }

    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
    }

    public func run(archive path: String) throws -> Result {
        let members = Dictionary(try ArchiveReader.members(of: path).map { ($0.name, $0.bytes) }) { $1 }
        guard let manifestBytes = members["manifest.json"] else { throw Refused("\(path) has no manifest.json") }
        let manifest = try FormatCoding.decode(Manifest.self, from: manifestBytes, file: "manifest.json")
        guard let identity = manifest.identity else {
            throw Refused("\(path) was published before sluice recorded model identities; it cannot be reproduced")
        }
        guard let snapshot = members["config/sluice.yaml"] else { throw Refused("\(path) has no config/sluice.yaml") }
        let scratch = try Self.scratchFolder()
        defer { removeScratch(scratch) }
        let configFile = scratch + "/sluice.yaml"
        try FileSystem.writeAtomically(snapshot, to: configFile)
        let replay = try ConfigLoader.parse(String(decoding: snapshot, as: UTF8.self), file: configFile,
                                            sha256: ContentHash.sha256(snapshot),
                                            overrides: .init(stateDirectory: scratch + "/state",
                                                             pluginPathPrefix: configuration.pluginPath, withoutSigning: true))
        guard let pipeline = replay.pipeline(named: manifest.pipeline) else {
            throw Refused("the archive's config has no pipeline '\(manifest.pipeline)'")
        }
        let catalog = try StageCatalog(configuration: replay, loader: PluginLoader(), only: pipeline.name)
        if let mismatch = pluginMismatch(catalog.stages[pipeline.name] ?? [], identity.inputs.plugins) {
            return Result(identical: false, lines: [mismatch])
        }
        let drops = try identity.inputs.drops.map { try archivedDrop($0, pipeline: pipeline.name) }
        let scratchLedger = try SQLLedger(path: replay.ledgerPath)
        let seeding = ReproductionLedger(original: ledger, scratch: scratchLedger, configuration: replay,
                                         pipeline: pipeline.name, inputs: identity.inputs)
        try seeding.seedPinnedSchema(members, explicit: pipeline.schema != nil)
        if let champion = identity.inputs.champion { try seeding.seedChampion(champion) }
        try seeding.seedWindow(Array(drops.dropFirst()))
        let reproduced = try rerun(drops[0], fileName: manifest.drop.file, pipeline: pipeline, replay: replay,
                                   catalog: catalog, ledger: scratchLedger)
        return compare(identity, with: reproduced)
    }

    /// The first plugin whose `.so` is not the one the archive was made with.
    func pluginMismatch(_ stages: [StageCatalog.ResolvedStage], _ recorded: [ModelIdentity.Plugin]) -> String? {
        for plugin in recorded {
            guard let stage = stages.first(where: { $0.configuration.name == plugin.stage }) else {
                return "not reproducible here: stage \(plugin.stage) of the archive's config has no plugin now"
            }
            if stage.plugin.sha256 != plugin.sha256 {
                return "not reproducible here: plugin \(plugin.name) \(plugin.version) (stage \(plugin.stage)) is now a different .so: "
                    + "\(stage.plugin.path) has sha256 \(stage.plugin.sha256) (version \(stage.plugin.version)); the archive was made with sha256 \(plugin.sha256)"
            }
        }
        return nil
    }

    /// An input drop by its content hash, from `archive/`.
    func archivedDrop(_ sha256: String, pipeline: String) throws -> (sha256: String, path: String, row: DropRow) {
        guard let row = try ledger.archivedDrops(pipeline: pipeline).first(where: { $0.sha256 == sha256 }),
              let path = row.finalPath, FileSystem.isRegularFile(path) else {
            throw Refused("drop \(sha256) the model trained on is no longer in archive/ (deleted by retention?)")
        }
        return (sha256, path, row)
    }

    private func rerun(_ drop: (sha256: String, path: String, row: DropRow), fileName: String,
                       pipeline: PipelineConfiguration, replay: SluiceConfiguration, catalog: StageCatalog,
                       ledger scratchLedger: SQLLedger) throws -> ModelIdentity? {
        let incoming = replay.stateDirectory + "/incoming"
        try FileSystem.createDirectory(incoming)
        try FileSystem.createDirectory(replay.workDirectory)
        for folder in [replay.archiveDirectory(pipeline.name), replay.quarantineDirectory(pipeline.name),
                       replay.outboxDirectory(pipeline.name)] {
            try FileSystem.createDirectory(folder)
        }
        let copy = incoming + "/" + fileName
        try FileSystem.writeAtomically(try FileSystem.read(drop.path), to: copy)
        let claim = try DropClaim.claim(copy, pipeline: pipeline.name, workRoot: replay.workDirectory)
        var quiet = logger
        quiet.logLevel = .warning
        let outcome = try RunExecutor(configuration: replay, ledger: scratchLedger, catalog: catalog, logger: quiet)
            .execute(claim, pipeline: pipeline)
        guard let run = try scratchLedger.run(key: claim.runKey), let model = try scratchLedger.model(runId: run.id),
              let archive = model.archivePath else {
            throw Refused("the re-run made no model (\(outcome.kind.rawValue): \(outcome.reason))")
        }
        let members = try ArchiveReader.members(of: archive)
        guard let bytes = members.first(where: { $0.name == "manifest.json" })?.bytes else { return nil }
        return try FormatCoding.decode(Manifest.self, from: bytes, file: "manifest.json").identity
    }

    func compare(_ original: ModelIdentity, with reproduced: ModelIdentity?) -> Result {
        guard let reproduced else { return Result(identical: false, lines: ["the re-run's archive has no identity"]) }
        if reproduced.digest == original.digest {
            return Result(identical: true, lines: ["identical: identity \(original.digest)"])
        }
        if reproduced.inputs != original.inputs {
            return Result(identical: false, lines: ["differs: the inputs differ (\(Self.firstDifference(original.inputs, reproduced.inputs)))"])
        }
        for name in Set(original.outputs.keys).union(reproduced.outputs.keys).sorted()
            where original.outputs[name] != reproduced.outputs[name] {
            return Result(identical: false, lines: [
                "differs: \(name) — the archive has sha256 \(original.outputs[name] ?? "none"), the re-run made \(reproduced.outputs[name] ?? "none")",
            ])
        }
        return Result(identical: false, lines: ["differs: identity \(reproduced.digest), the archive's is \(original.digest)"])
    }

    static func firstDifference(_ a: ModelIdentity.Inputs, _ b: ModelIdentity.Inputs) -> String {
        if a.drops != b.drops { return "drops" }
        if a.config != b.config { return "config" }
        if a.plugins != b.plugins { return "plugins" }
        if a.references != b.references { return "references: " + Set(a.references.keys).union(b.references.keys).sorted()
            .filter { a.references[$0] != b.references[$0] }.joined(separator: ", ") }
        if a.champion != b.champion { return "champion" }
        return "settings"
    }

    static func scratchFolder() throws -> String {
        var template = Array("\(NSTemporaryDirectory())/sluice-reproduce-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw SystemError(call: "mkdtemp", path: NSTemporaryDirectory(), code: errno)
        }
        return FileSystem.normalize(String(cString: template))
    }

    /// The scratch folder is ours alone: removed whatever happened.
    func removeScratch(_ folder: String) {
        do { try FileManager.default.removeItem(atPath: folder) } catch {
            logger.warning("could not remove the scratch folder \(folder): \(error)")
        }
    }
}
