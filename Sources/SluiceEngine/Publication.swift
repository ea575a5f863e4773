import Foundation
import SluiceArchive
import SluiceConfig
import SluiceData
import SluiceFormats
import SluiceLedger
import SluicePluginHost
import SluiceSystem

/// Publishes an approved model, reserved in the ledger first:
/// 1. the next version is reserved in one transaction (model row `publishing`);
/// 2. the archive is written beside its final name and linked into place
///    without replacing anything (a published version is never overwritten);
/// 3. `current.tar.gz` is switched to it;
/// 4. the row becomes `published` and the promotion is recorded.
/// A crash between any two steps is settled by ``PublicationRecovery``.
struct Publication {
    let run: RunContext

    /// Everything the archive is made of, besides the stages' artifacts.
    struct Inputs {
        let plugins: [Manifest.Plugin]
        let metrics: [String: [String: Double]]
        let decision: PromotionDecision
        let schema: [UInt8]
        let dropSize: Int64
        let dropRows: Int
    }

    /// - Returns: the version and the archive's path.
    /// - Throws: what went wrong; the reservation is then abandoned (its version stays used).
    func publish(_ inputs: Inputs, host: StageHost) throws -> (version: Int, path: String) {
        let pipeline = run.pipeline
        try pinSchemaIfFirst(host: host)
        let folder = run.configuration.outboxDirectory(pipeline.name)
        try FileSystem.createDirectory(folder)
        let pending = try run.ledger.reservePublication(runId: run.runId, pipeline: pipeline.name,
                                                         reasons: inputs.decision.reasonText) {
            "\(folder)/\(pipeline.name)-v\($0).tar.gz"
        }
        CrashPoint.reserved.reach()
        do {
            let (members, identity) = try archiveMembers(inputs, version: pending.version, host: host)
            try run.ledger.recordModelIdentity(modelId: pending.modelId, digest: identity)
            try ArchiveWriter.writeTarGz(members, to: pending.archivePath, modificationTime: Int(Timestamp.unixNow()),
                                         replacing: false)
            CrashPoint.archived.reach()
            let sha256 = try ContentHash.sha256(file: pending.archivePath)
            // Switch and record under the current-pointer lock, so a rollback at
            // the same moment is ordered before or after, never in between.
            try CurrentPointer.withLock(pipeline: pipeline.name, configuration: run.configuration) {
                try FileSystem.replaceSymlink("\(folder)/current.tar.gz", target: FileSystem.baseName(pending.archivePath))
                CrashPoint.switched.reach()
                try run.ledger.completePublication(pending, archiveSHA256: sha256,
                                                   reason: "v\(pending.version) approved: \(inputs.decision.reasonText)",
                                                   action: .approve, by: "sluice")
            }
        } catch {
            try run.ledger.abandonPublication(pending, reason: "publishing failed: \(error)")
            try PublicationRecovery.repointCurrent(pipeline: pipeline.name, configuration: run.configuration,
                                                   ledger: run.ledger)
            throw error
        }
        return (pending.version, pending.archivePath)
    }

    /// Packages a rejected candidate as `outbox/<pipeline>/rejected/<run key>.tar.gz`
    /// (never pointed at by `current`), so it can be inspected, verified and
    /// promoted on purpose; nil when no stage produced a model.
    func packageRejected(_ inputs: Inputs, host: StageHost) throws -> (path: String, sha256: String, identity: String)? {
        guard host.artifact("model.json") != nil else { return nil }
        let folder = run.configuration.outboxDirectory(run.pipeline.name) + "/rejected"
        try FileSystem.createDirectory(folder)
        let path = "\(folder)/\(ModelPublisher.safeName(run.runKey)).tar.gz"
        let (members, identity) = try archiveMembers(inputs, version: 0, host: host)
        try ArchiveWriter.writeTarGz(members, to: path, modificationTime: Int(Timestamp.unixNow()), replacing: false)
        return (path, try ContentHash.sha256(file: path), identity)
    }

    /// The schema in force: the config's, or pinned now from this drop's
    /// profile if this is the pipeline's first approved drop.
    func pinSchemaIfFirst(host: StageHost) throws {
        let pipeline = run.pipeline
        if let explicit = pipeline.schema {
            let text = try ExplicitSchemaProfile.json(explicit)
            if try run.ledger.pinnedSchema(pipeline: pipeline.name)?.profile != text {
                try run.ledger.pinSchema(pipeline: pipeline.name, source: "config", dropId: nil, profile: text)
                try run.event(.info, "schema.pinned", "schema from the config recorded (it wins over a pinned one)")
            }
        } else if try run.ledger.pinnedSchema(pipeline: pipeline.name) == nil, let profile = host.artifact("profile.json") {
            try run.ledger.pinSchema(pipeline: pipeline.name, source: "pinned", dropId: run.dropId,
                                     profile: String(decoding: profile, as: UTF8.self))
            try run.event(.info, "schema.pinned", "schema pinned from this drop (the pipeline's first approved one)")
        }
    }

    /// What determined this model: drops, config, plugins, seed, references and champion.
    func identityInputs(_ inputs: Inputs, host: StageHost) -> ModelIdentity.Inputs {
        let pipeline = run.pipeline
        var references: [String: String] = [:]
        for name in host.artifactNames where name.hasPrefix("reference/") {
            references[name] = ContentHash.sha256(host.artifact(name) ?? [])
        }
        return ModelIdentity.Inputs(
            drops: run.inputDropHashes.isEmpty ? [run.sha256] : run.inputDropHashes, config: run.configuration.sha256,
            pipeline: pipeline.name, task: pipeline.task.rawValue, target: pipeline.target, seed: pipeline.seed,
            holdoutFraction: pipeline.holdoutFraction,
            plugins: inputs.plugins.map { .init(stage: $0.stage, name: $0.name, version: $0.version, sha256: $0.sha256,
                                                params: $0.params) },
            references: references, champion: run.champion)
    }

    /// The archive's members, and the model's identity digest.
    func archiveMembers(_ inputs: Inputs, version: Int, host: StageHost) throws -> (members: [ArchiveMember], identity: String) {
        let pipeline = run.pipeline
        let claim = run.claim
        var manifest = Manifest(
            sluiceVersion: SluiceVersion.current, pipeline: pipeline.name, version: version,
            task: pipeline.task.rawValue, target: pipeline.target, seed: pipeline.seed,
            holdoutFraction: pipeline.holdoutFraction, createdAt: Timestamp.now(),
            run: .init(id: run.runId, key: run.runKey, startedAt: run.startedAt, finishedAt: Timestamp.now()),
            drop: .init(file: claim.fileName, sha256: run.sha256, sizeBytes: inputs.dropSize, rows: inputs.dropRows,
                        receivedAt: claim.receivedAt),
            config: .init(file: run.configuration.file, sha256: run.configuration.sha256),
            plugins: inputs.plugins, metrics: inputs.metrics, decision: inputs.decision.decision.rawValue,
            reasons: inputs.decision.reasonText, files: [:])
        var artifacts = host.artifactNames.filter { !$0.hasPrefix("champion/") && !$0.hasPrefix("reference/") }
            .map { ($0, host.artifact($0) ?? []) }
        if let pinned = try run.ledger.pinnedSchema(pipeline: pipeline.name) {
            artifacts.append(("schema/pinned.json", Array(pinned.profile.utf8)))
        }
        let members = try ModelPublisher.members(manifest: &manifest, artifacts: artifacts, schema: inputs.schema,
                                                 configText: Array(run.configuration.text.utf8),   // the text the run used, not the file as it is now
                                                 card: ModelPublisher.card(manifest),
                                                 identity: identityInputs(inputs, host: host))
        return (try ModelPublisher.signed(members, keyFile: run.configuration.signingKey), manifest.identity?.digest ?? "")
    }
}
