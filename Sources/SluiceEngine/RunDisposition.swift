import SluiceData
import SluiceLedger
import SluiceSystem

/// The run's last step: the drop is filed (archive/ by content hash, or
/// quarantine/ with a `.reason`), the run and the drop are closed in the
/// ledger, and stages that never ran are recorded as skipped.
struct RunDisposition {
    let run: RunContext

    /// Records the stages from position `index` (0-based in the pipeline) on as skipped.
    func skipStages(from index: Int, reason: String) throws {
        let stages = run.stages
        guard index < stages.count else { return }
        for (offset, resolved) in stages[index...].enumerated() {
            let id = try run.ledger.startStage(runId: run.runId, position: index + offset + 1,
                                               stage: resolved.configuration.name,
                                               kind: resolved.plugin.kind.description, plugin: resolved.identity)
            try run.ledger.finishStage(id: id, status: .skipped, message: reason, durationMs: 0)
        }
    }

    func quarantine(reason given: String, stage: String) throws -> RunOutcome {
        let reason = run.claim.growthSinceClaim.map { given.contains($0) ? given : "\(given); \($0)" } ?? given
        let destination = try DropDisposition.quarantine(run.claim, reason: reason, details: [
            ("sha256", run.sha256.isEmpty ? "unknown" : run.sha256), ("stage", stage), ("run id", String(run.runId)),
            ("at", Timestamp.now()),
        ], configuration: run.configuration)
        CrashPoint.disposed.reach()
        try run.ledger.finishDrop(id: run.dropId, outcome: .quarantined, reason: reason, finalPath: destination)
        CrashPoint.dropFiled.reach()
        let duration = (Timestamp.monotonic() - run.started) * 1000
        try run.ledger.finishRun(id: run.runId, status: .failed, message: reason, durationMs: duration)
        try run.event(.warning, "drop.quarantined", "quarantined → \(run.display(destination)) (reason in .reason)")
        return RunOutcome(kind: .quarantined, runId: run.runId, dropId: run.dropId, reason: reason, dropPath: destination,
                          archivePath: nil, version: nil)
    }

    /// Keeps the drop's parsed table beside its archived CSV (the column
    /// cache), so later training windows read it instead of parsing it; a
    /// cache that cannot be written costs only speed, and says so. Only a
    /// pipeline with a `window:` reads history, so only its drops get one (a
    /// window configured later builds the missing caches on first use).
    func keepColumns(archived destination: String) throws {
        guard run.pipeline.window != .latest, let table = run.parsedDrop, !run.sha256.isEmpty else { return }
        run.parsedDrop = nil
        let path = ColumnCache.path(forArchived: destination, sha256: run.sha256)
        guard !FileSystem.exists(path) else { return }
        do {
            let checksum = try ColumnCache.write(table, sha256: run.sha256, options: run.csvOptions, to: path)
            try run.ledger.recordColumnCache(dropId: run.dropId, checksum: checksum)
        } catch where error is ColumnCacheError || error is SystemError {
            // The file could not be written; a ledger error is not caught here.
            try run.event(.warning, "columns.unwritten", "the drop's column cache could not be written (\(error)); "
                          + "windows will parse its CSV instead")
        }
    }

    func archive(kind: RunOutcome.Kind, reason: String, archive: String?, version: Int?) throws -> RunOutcome {
        let destination = try DropDisposition.archive(run.claim, sha256: run.sha256, configuration: run.configuration)
        CrashPoint.disposed.reach()
        try run.ledger.finishDrop(id: run.dropId, outcome: .archived, reason: reason, finalPath: destination)
        CrashPoint.dropFiled.reach()
        let duration = (Timestamp.monotonic() - run.started) * 1000
        let status: RunStatus = switch kind {
        case .approved: .approved
        case .duplicate: .duplicate
        default: .rejected
        }
        try run.ledger.finishRun(id: run.runId, status: status, message: reason, durationMs: duration)
        try run.event(.info, "drop.archived",
                      "drop archived → \(run.display(destination)) (run took \(RunContext.milliseconds(duration)))")
        try keepColumns(archived: destination)
        return RunOutcome(kind: kind, runId: run.runId, dropId: run.dropId, reason: reason, dropPath: destination,
                          archivePath: archive, version: version)
    }
}
