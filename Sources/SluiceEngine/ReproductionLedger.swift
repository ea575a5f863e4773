import SluiceConfig
import SluiceFormats
import SluiceLedger
import SluiceSystem

/// The scratch ledger of a reproduction, seeded with what the original run
/// saw before its stages ran: the pinned schema, the champion (its archive,
/// its version number, its identity and its training drop's profile) and the
/// window's earlier drops, all checked against the archive's recorded hashes.
struct ReproductionLedger {
    let original: any Ledger
    let scratch: SQLLedger
    let configuration: SluiceConfiguration
    let pipeline: String
    let inputs: ModelIdentity.Inputs

    func seedPinnedSchema(_ members: [String: [UInt8]], explicit: Bool) throws {
        guard let expected = inputs.references["reference/schema.json"], !explicit else { return }
        guard let pinned = members["schema/pinned.json"], ContentHash.sha256(pinned) == expected else {
            throw Reproduction.Refused("the pinned schema the run was checked against is not in the archive (schema/pinned.json)")
        }
        try scratch.pinSchema(pipeline: pipeline, source: "pinned", dropId: nil, profile: String(decoding: pinned, as: UTF8.self))
    }

    /// Puts the original champion in service in the scratch state, as the same version.
    func seedChampion(_ champion: ModelIdentity.Champion) throws {
        guard let row = try original.model(pipeline: pipeline, version: champion.version), let path = row.archivePath,
              row.deletedAt == nil, FileSystem.isRegularFile(path) else {
            throw Reproduction.Refused("the champion the run compared against, \(pipeline) v\(champion.version), is no longer in the outbox")
        }
        guard row.identity ?? "archive sha256 \(row.archiveSha256 ?? "?")" == champion.identity else {
            throw Reproduction.Refused("\(pipeline) v\(champion.version) in the ledger is not the champion the run compared against (identity differs)")
        }
        let drop = try scratch.recordDrop(pipeline: pipeline, fileName: "(champion v\(champion.version))", inboxPath: path,
                                          receivedAt: row.createdAt, claimedAt: row.createdAt)
        // Versions below the champion's are used up, so it gets its own number.
        for placeholder in 1..<max(champion.version, 1) {
            let run = try startRun(drop, key: "reproduce-placeholder-\(placeholder)")
            let pending = try scratch.reservePublication(runId: run, pipeline: pipeline, reasons: "placeholder") { _ in "" }
            try scratch.abandonPublication(pending, reason: "placeholder for the reproduction")
        }
        let run = try startRun(drop, key: "reproduce-champion")
        let outbox = configuration.outboxDirectory(pipeline)
        try FileSystem.createDirectory(outbox)
        let pending = try scratch.reservePublication(runId: run, pipeline: pipeline, reasons: "the original champion") {
            "\(outbox)/\(pipeline)-v\($0).tar.gz"
        }
        let bytes = try FileSystem.read(path)
        try FileSystem.writeAtomically(bytes, to: pending.archivePath)
        try scratch.completePublication(pending, archiveSHA256: ContentHash.sha256(bytes), reason: "the original champion",
                                        action: .approve, by: "sluice verify --reproduce")
        if let identity = row.identity { try scratch.recordModelIdentity(modelId: pending.modelId, digest: identity) }
        if let expected = inputs.references["reference/profile.json"] {
            guard let trained = try original.trainingDropIds(modelId: row.id).first,
                  let profile = try original.profile(dropId: trained), ContentHash.sha256(Array(profile.utf8)) == expected else {
                throw Reproduction.Refused("the profile of the champion's training drop is no longer in the ledger as the run saw it")
            }
            try scratch.recordProfile(dropId: drop, runId: run, profile: profile)
        }
    }

    private func startRun(_ drop: Int64, key: String) throws -> Int64 {
        try scratch.startRun(dropId: drop, pipeline: pipeline, runKey: key, seed: 0, configSHA256: inputs.config,
                             workDirectory: "", pid: 0, host: nil)
    }

    /// The window's drops as archived rows (oldest first, so ids order them as before).
    func seedWindow(_ paths: [(sha256: String, path: String, row: DropRow)]) throws {
        for drop in paths.reversed() {
            let id = try scratch.recordDrop(pipeline: pipeline, fileName: drop.row.fileName, inboxPath: drop.path,
                                            receivedAt: drop.row.receivedAt, claimedAt: drop.row.receivedAt)
            try scratch.describeDrop(id: id, sha256: drop.sha256, sizeBytes: drop.row.sizeBytes ?? 0, rows: drop.row.rows)
            try scratch.finishDrop(id: id, outcome: .archived, reason: "window drop of the reproduced run", finalPath: drop.path)
        }
    }
}
