import SluiceArchive
import SluiceData
import SluiceLedger
import SluiceSystem

/// The run's first step: read the drop once (hash and parse), record its
/// shape, stop early for a duplicate, stack the training window, and fix the
/// holdout split before any stage runs.
struct Intake {
    /// What the stages get.
    struct Prepared {
        let table: Table
        let roles: [UInt8]
        let dropSize: Int64
        let dropRows: Int
    }

    enum Result {
        case prepared(Prepared)
        /// The run ended here (bad input, duplicate): its outcome.
        case finished(RunOutcome)
    }

    let run: RunContext

    func perform() throws -> Result {
        let disposition = RunDisposition(run: run)
        let ingestId = try run.ledger.startStage(runId: run.runId, position: 0, stage: "ingest", kind: "ingest", plugin: nil)
        let ingestStart = Timestamp.monotonic()
        // Freed memory stays in the process for reuse (see MemoryReuse): the
        // drop's columns, once a stage replaces them, become the new ones' memory.
        MemoryReuse.keepFreedMemory()
        let drop: DropReader.Result
        do {
            drop = try DropReader.read(run.claim.path, displayName: run.claim.fileName, options: run.csvOptions)
        } catch {
            let ms = (Timestamp.monotonic() - ingestStart) * 1000
            try run.ledger.finishStage(id: ingestId, status: .failed, message: "\(error)", durationMs: ms)
            try run.event(.error, "stage.failed", "ingest failed in \(RunContext.milliseconds(ms)): \(error)")
            try describeUnreadableDrop()
            try disposition.skipStages(from: 0, reason: "ingest failed")
            return .finished(try disposition.quarantine(reason: "ingest: \(error)", stage: "ingest"))
        }
        run.sha256 = drop.sha256
        run.parsedDrop = drop.table
        let ingestMs = (Timestamp.monotonic() - ingestStart) * 1000
        try run.ledger.describeDrop(id: run.dropId, sha256: drop.sha256, sizeBytes: drop.sizeBytes,
                                    rows: Int64(drop.table.rowCount))
        let shape = "\(drop.table.rowCount) rows × \(drop.table.columns.count) columns, sha256 \(drop.sha256.prefix(12))…"
        try run.ledger.finishStage(id: ingestId, status: .succeeded, message: shape, durationMs: ingestMs)
        try run.event(.info, "stage.finished", "stage ingest     ok  \(RunContext.milliseconds(ingestMs))  \(shape)")

        // The same content again: archive it without retraining, unless asked to.
        if run.pipeline.onDuplicate == .skip,
           let earlier = try run.ledger.processedDrop(pipeline: run.pipeline.name, sha256: drop.sha256, excluding: run.dropId) {
            let reason = "duplicate of drop \(earlier) (same sha256 \(drop.sha256.prefix(12))…); not retrained (on_duplicate: skip)"
            try disposition.skipStages(from: 0, reason: "duplicate drop")
            return .finished(try disposition.archive(kind: .duplicate, reason: reason, archive: nil, version: nil))
        }
        let table = try TrainingWindow(run: run).stack(newest: drop.table)
        let strata = HoldoutSplit.strata(for: table, target: run.pipeline.target)
        let roles = HoldoutSplit.roles(strata: strata, fraction: run.pipeline.holdoutFraction, seed: run.pipeline.seed)
        return .prepared(Prepared(table: table, roles: roles, dropSize: drop.sizeBytes, dropRows: drop.table.rowCount))
    }

    /// A drop that could not be parsed is still described by size and hash
    /// when the file can be read at all; when it cannot, the ledger says why.
    func describeUnreadableDrop() throws {
        do {
            let size = try FileSystem.size(run.claim.path)
            let hash = try ContentHash.sha256(file: run.claim.path)
            run.sha256 = hash
            try run.ledger.describeDrop(id: run.dropId, sha256: hash, sizeBytes: size, rows: nil)
        } catch let error as SystemError {
            try run.event(.warning, "drop.unreadable", "the drop could not be hashed: \(error)")
        }
    }
}
