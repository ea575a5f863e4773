import Foundation
import Logging
import SluiceArchive
import SluiceConfig
import SluiceFormats
import SluiceLedger
import SluiceSystem

/// `sluice promote --force`: serves a rejected candidate on purpose (a schema
/// change that makes every new model lose to an old baseline, say). Its
/// packaged archive (`outbox/<pipeline>/rejected/<run key>.tar.gz`) is
/// verified, given the next version like any publication (reserved in the
/// ledger, written beside its final name, linked without replacing
/// anything), its manifest and model card saying it was forced and by whom,
/// then made current and recorded as a `force-promote` change with the rules
/// it failed.
public struct ForcedPromotion {
    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
    }

    /// - Parameter run: the run's key or its id.
    /// - Throws: ``Rollback/Refused`` naming why nothing was changed.
    public func perform(pipeline: String, run: String, reason: String, by: String) throws -> ChampionInterval {
        let model = try candidate(pipeline: pipeline, run: run)
        guard let source = model.archivePath else {
            throw Rollback.Refused("run \(run) of \(pipeline) produced no model archive to promote")
        }
        let problems = ArchiveVerifier.problems(archive: source, expectedSHA256: model.archiveSha256)
        guard problems.isEmpty else {
            throw Rollback.Refused("run \(run)'s candidate cannot be served: its archive does not verify:\n  "
                                   + problems.joined(separator: "\n  "))
        }
        let failed = try ledger.gateRules(runId: model.runId).filter { !$0.passed }.map(\.text)
        let note = "forced by \(by): \(reason)" + (failed.isEmpty ? "" : " (failed: \(failed.joined(separator: "; ")))")
        let folder = configuration.outboxDirectory(pipeline)
        let pending = try ledger.reserveForcedPublication(modelId: model.id, pipeline: pipeline) {
            "\(folder)/\(pipeline)-v\($0).tar.gz"
        }
        do {
            let members = try rewritten(try ArchiveReader.members(of: source), version: pending.version, note: note)
            try ArchiveWriter.writeTarGz(members, to: pending.archivePath, modificationTime: Int(Timestamp.unixNow()),
                                         replacing: false)
            let sha256 = try ContentHash.sha256(file: pending.archivePath)
            try CurrentPointer.withLock(pipeline: pipeline, configuration: configuration) {
                try FileSystem.replaceSymlink(folder + "/current.tar.gz", target: FileSystem.baseName(pending.archivePath))
                try ledger.completePublication(pending, archiveSHA256: sha256, reason: "v\(pending.version) \(note)",
                                               action: .forcePromote, by: by)
            }
        } catch {
            try ledger.abandonPublication(pending, reason: "forced promotion failed: \(error)")
            try PublicationRecovery.repointCurrent(pipeline: pipeline, configuration: configuration, ledger: ledger)
            throw error
        }
        try ledger.recordEvent(level: .warning, kind: "model.force_promoted", pipeline: pipeline, dropId: nil,
                               runId: model.runId, message: "run \(run)'s rejected candidate served as v\(pending.version), \(note)")
        logger.warning("[\(pipeline)] run \(run)'s rejected candidate is now v\(pending.version) and in service (\(note))")
        return try ledger.championHistory(pipeline: pipeline).last!
    }

    /// The rejected model of `run` (its key or id).
    private func candidate(pipeline: String, run: String) throws -> ModelRow {
        guard configuration.pipeline(named: pipeline) != nil else {
            throw Rollback.Refused("no pipeline named '\(pipeline)' in \(configuration.file); it has: "
                                   + configuration.pipelines.map(\.name).joined(separator: ", "))
        }
        var ref = try ledger.run(key: run)
        if ref == nil, let id = Int64(run) { ref = try ledger.run(id: id) }
        guard let ref, ref.pipeline == pipeline else {
            throw Rollback.Refused("\(pipeline) has no run '\(run)' (give its run key or id, as `sluice report` shows)")
        }
        guard let model = try ledger.model(runId: ref.id) else {
            throw Rollback.Refused("run \(run) of \(pipeline) made no model (it stopped before training)")
        }
        if model.decision == .approved || model.version != nil {
            throw Rollback.Refused("run \(run)'s model is already v\(model.version.map(String.init) ?? "?"); use `sluice rollback --to` to serve it again")
        }
        return model
    }

    /// The archive's members with the manifest and card saying what happened.
    private func rewritten(_ members: [ArchiveMember], version: Int, note: String) throws -> [ArchiveMember] {
        guard let bytes = members.first(where: { $0.name == "manifest.json" })?.bytes else {
            throw Rollback.Refused("the candidate's archive has no manifest.json")
        }
        var manifest = try FormatCoding.decode(Manifest.self, from: bytes, file: "manifest.json")
        manifest.version = version
        manifest.decision = "force-promoted"
        manifest.reasons += "; \(note)"
        let card = ArchiveMember(name: "MODEL_CARD.md", text: ModelPublisher.card(manifest))
        var kept = members.filter { !["manifest.json", "manifest.sig", "MODEL_CARD.md"].contains($0.name) } + [card]
        manifest.files = Dictionary(kept.map { ($0.name, ContentHash.sha256($0.bytes)) }) { $1 }
        kept.append(ArchiveMember(name: "manifest.json", bytes: Array(try FormatCoding.prettyEncoder().encode(manifest))))
        return try ModelPublisher.signed(kept, keyFile: configuration.signingKey)
    }
}
