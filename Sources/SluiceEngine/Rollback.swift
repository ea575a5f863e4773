import Logging
import SluiceConfig
import SluiceLedger
import SluiceSystem

/// `sluice rollback`: makes an earlier approved version the model in service.
///
/// The target is `--to VERSION`, or by default the champion before the
/// current one: the latest model in the champion history that served before
/// the current one and has a lower version (so repeated rollbacks walk back
/// v3 → v2 → v1 and never forward). Before anything changes, the target's
/// archive is verified (present, its hash the ledger's, every member the
/// manifest's). The ledger change and the `current.tar.gz` switch happen under
/// the current-pointer lock, so a publication at the same moment comes
/// wholly before or after.
public struct Rollback {
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
    }

    /// - Returns: the change recorded.
    /// - Throws: ``Refused`` naming why nothing was changed.
    public func perform(pipeline: String, to version: Int?, reason: String, by: String,
                        action: ChampionAction = .rollback) throws -> ChampionInterval {
        guard configuration.pipeline(named: pipeline) != nil else {
            throw Refused("no pipeline named '\(pipeline)' in \(configuration.file); it has: "
                          + configuration.pipelines.map(\.name).joined(separator: ", "))
        }
        guard let current = try ledger.currentModel(pipeline: pipeline), current.version != nil else {
            throw Refused("\(pipeline) has no model in service yet; there is nothing to roll back")
        }
        let target = try version.map { try model(pipeline, version: $0) } ?? previousChampion(pipeline, current: current)
        guard let targetVersion = target.version else { throw Refused("\(pipeline): the target model has no version") }
        if target.id == current.id { throw Refused("\(pipeline) v\(targetVersion) is already the model in service") }
        guard let path = target.archivePath else { throw Refused("\(pipeline) v\(targetVersion) has no archive recorded") }
        let problems = ArchiveVerifier.problems(archive: path, expectedSHA256: target.archiveSha256)
        guard problems.isEmpty else {
            throw Refused("\(pipeline) v\(targetVersion) cannot be put back in service: its archive does not verify:\n  "
                          + problems.joined(separator: "\n  "))
        }
        let change = try CurrentPointer.withLock(pipeline: pipeline, configuration: configuration) { () throws -> ChampionInterval in
            let change: ChampionInterval
            do {
                change = try ledger.changeChampion(pipeline: pipeline, toModelId: target.id, action: action,
                                                   reason: reason, by: by)
            } catch let error as LedgerError {
                throw Refused(error.description)
            }
            try CurrentPointer.repoint(pipeline: pipeline, configuration: configuration, ledger: ledger)
            return change
        }
        let from = change.fromVersion.map { "v\($0)" } ?? "nothing"
        try ledger.recordEvent(level: .warning, kind: "model.rolled_back", pipeline: pipeline, dropId: nil, runId: target.runId,
                               message: "rolled back from \(from) to v\(targetVersion) by \(by): \(reason)")
        logger.info("[\(pipeline)] rolled back from \(from) to v\(targetVersion) (current.tar.gz → \(FileSystem.baseName(path)))")
        return change
    }

    /// A version that may be served: approved and published.
    private func model(_ pipeline: String, version: Int) throws -> ModelRow {
        guard let model = try ledger.model(pipeline: pipeline, version: version) else {
            let newest = try ledger.models(pipeline: pipeline).compactMap(\.version).max()
            throw Refused("\(pipeline) has no v\(version)" + (newest.map { " (versions go up to v\($0))" } ?? " (no versions yet)"))
        }
        if let deletedAt = model.deletedAt {
            throw Refused("\(pipeline) v\(version): deleted \(deletedAt) by retention (\(model.deletedReason ?? "")); it cannot be served again")
        }
        guard model.publication == "published" else {
            throw Refused("\(pipeline) v\(version) was never approved and published (\(model.publication ?? model.decision.rawValue)); only a published version can be served")
        }
        return model
    }

    /// The champion before the current one, with a lower version.
    func previousChampion(_ pipeline: String, current: ModelRow) throws -> ModelRow {
        let history = try ledger.championHistory(pipeline: pipeline)
        let currentVersion = current.version ?? 0
        guard let earlier = history.reversed().first(where: { $0.modelId != current.id && $0.version < currentVersion }) else {
            throw Refused("\(pipeline) v\(currentVersion) is the first model it served; there is no earlier champion to roll back to (name one with --to)")
        }
        return try model(pipeline, version: earlier.version)
    }
}
