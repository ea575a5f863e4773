import SluiceData
import Logging
import SluiceConfig
import SluiceLedger
import SluiceSystem

/// Applies a pipeline's `retention:`: deletes archives and archived drops it
/// no longer keeps, leaving each ledger row as a tombstone (deleted when and
/// why) so history and lineage still answer for it. Never deleted: the
/// champion; the first `keep_last` versions a chain of plain rollbacks from
/// it would reach; the newest `keep_last` versions; versions younger than
/// `keep_days`; any drop a kept model trained on (windows included), the
/// drops the next run's window would use, and drops younger than `keep_days`.
/// Rejected candidates go after `rejected_days`.
public struct Retention {
    /// One file to delete and why.
    public struct Deletion: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case version(Int), rejected(runKey: String), drop(String) }
        public let kind: Kind
        public let id: Int64
        public let path: String
        public let reason: String
    }

    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
    }

    /// What retention would delete now for `pipeline`.
    public func plan(_ pipeline: PipelineConfiguration) throws -> [Deletion] {
        let policy = pipeline.retention
        let models = try ledger.models(pipeline: pipeline.name).filter { $0.deletedAt == nil && $0.archivePath != nil }
        var deletions: [Deletion] = []
        if policy.limitsVersions {
            let kept = try keptVersions(pipeline, published: models.filter { $0.publication == "published" })
            for model in models where model.publication == "published" && !kept.contains(model.id) {
                deletions.append(Deletion(kind: .version(model.version ?? 0), id: model.id, path: model.archivePath!,
                                          reason: "retention: not the champion, not within keep_last \(policy.keepLast.map(String.init) ?? "-")"
                                              + " or keep_days \(policy.keepDays.map { "\($0)" } ?? "-")"))
            }
        }
        if let days = policy.rejectedDays {
            let cutoff = Self.cutoff(days: days)
            for model in models where model.decision == .rejected && model.version == nil && model.createdAt < cutoff {
                let runKey = try ledger.run(id: model.runId)?.key ?? "run \(model.runId)"
                deletions.append(Deletion(kind: .rejected(runKey: runKey), id: model.id, path: model.archivePath!,
                                          reason: "retention: rejected candidate older than rejected_days \(days)"))
            }
        }
        if policy.limitsVersions {
            let deletedModels = Set(deletions.map(\.id))   // only model deletions so far
            deletions += try dropDeletions(pipeline, keptModels: models.map(\.id).filter { !deletedModels.contains($0) })
        }
        return deletions
    }

    static func isDrop(_ kind: Deletion.Kind) -> Bool { if case .drop = kind { true } else { false } }

    /// The published models retention keeps.
    func keptVersions(_ pipeline: PipelineConfiguration, published: [ModelRow]) throws -> Set<Int64> {
        let policy = pipeline.retention
        var kept = Set<Int64>()
        let current = try ledger.currentModel(pipeline: pipeline.name)
        if let current { kept.insert(current.id) }
        if let keepLast = policy.keepLast {
            for model in published.sorted(by: { ($0.version ?? 0) > ($1.version ?? 0) }).prefix(keepLast) { kept.insert(model.id) }
            if let current {
                kept.formUnion(try rollbackReach(pipeline.name, from: current, steps: keepLast))
            }
        }
        if let days = policy.keepDays {
            let cutoff = Self.cutoff(days: days)
            for model in published where model.createdAt >= cutoff { kept.insert(model.id) }
        }
        return kept
    }

    /// The models `steps` plain rollbacks in a row would serve, starting from `current`.
    func rollbackReach(_ pipeline: String, from current: ModelRow, steps: Int) throws -> Set<Int64> {
        let history = try ledger.championHistory(pipeline: pipeline)
        var reach = Set<Int64>()
        var (id, version) = (current.id, current.version ?? 0)
        for _ in 0..<steps {
            guard let earlier = history.reversed().first(where: { $0.modelId != id && $0.version < version }) else { break }
            reach.insert(earlier.modelId)
            (id, version) = (earlier.modelId, earlier.version)
        }
        return reach
    }

    /// Archived drops no kept model trained on, outside the next window and `keep_days`.
    func dropDeletions(_ pipeline: PipelineConfiguration, keptModels: [Int64]) throws -> [Deletion] {
        var needed = Set<Int64>()
        for id in keptModels { needed.formUnion(try ledger.trainingDropIds(modelId: id)) }
        let drops = try ledger.archivedDrops(pipeline: pipeline.name)   // newest first
        var window = Set<Int64>()
        switch pipeline.window {
        case .latest: break
        case .drops(let count): window.formUnion(drops.prefix(max(count - 1, 0)).map(\.id))
        case .days(let days):
            let cutoff = Self.cutoff(days: days)
            window.formUnion(drops.filter { $0.receivedAt >= cutoff }.map(\.id))
        }
        let young = pipeline.retention.keepDays.map { days in
            Set(drops.filter { $0.receivedAt >= Self.cutoff(days: days) }.map(\.id))
        } ?? []
        return drops.filter { !needed.contains($0.id) && !window.contains($0.id) && !young.contains($0.id) }.map { drop in
            Deletion(kind: .drop(drop.fileName), id: drop.id, path: drop.finalPath!,
                     reason: "retention: no kept model trained on it and the next window does not use it")
        }
    }

    /// Deletes what ``plan(_:)`` lists: the tombstone first, then the file
    /// (a file left by a failed removal is named in the log and the ledger).
    @discardableResult
    public func run(_ pipeline: PipelineConfiguration) throws -> [Deletion] {
        let deletions = try plan(pipeline)
        for deletion in deletions {
            if Self.isDrop(deletion.kind) {
                try ledger.markDropDeleted(id: deletion.id, reason: deletion.reason)
            } else {
                try ledger.markModelDeleted(id: deletion.id, reason: deletion.reason)
            }
            do {
                if FileSystem.exists(deletion.path) { try FileSystem.remove(deletion.path) }
                // A drop's column cache goes with it (it is the same data, parsed).
                if Self.isDrop(deletion.kind), let cache = ColumnCache.path(forArchived: deletion.path),
                   FileSystem.exists(cache) {
                    try FileSystem.remove(cache)
                }
            } catch {
                logger.error("[\(pipeline.name)] retention could not remove \(deletion.path): \(error)")
                try ledger.recordEvent(level: .error, kind: "retention.remove_failed", pipeline: pipeline.name, dropId: nil,
                                       runId: nil, message: "could not remove \(deletion.path): \(error)")
                continue
            }
            try ledger.recordEvent(level: .info, kind: "retention.deleted", pipeline: pipeline.name, dropId: nil, runId: nil,
                                   message: "deleted \(deletion.path) (\(deletion.reason))")
            logger.info("[\(pipeline.name)] retention deleted \(FileSystem.baseName(deletion.path))")
        }
        return deletions
    }

    static func cutoff(days: Double) -> String { Timestamp.iso8601(seconds: Timestamp.unixNow() - days * 86_400) }
}
