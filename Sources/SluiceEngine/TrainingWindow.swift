import SluiceArchive
import SluiceData
import SluiceLedger
import SluiceSystem

/// A pipeline's `window`: this drop's table stacked with the earlier archived
/// drops it takes in (newest first); every input is recorded in `run_inputs`.
/// An earlier drop that cannot be read or has other columns is left out with a warning.
struct TrainingWindow {
    let run: RunContext

    func stack(newest: Table) throws -> Table {
        var inputs: [(dropId: Int64, rows: Int)] = [(run.dropId, newest.rowCount)]
        run.inputDropHashes = [run.sha256]
        let limit: Int?, since: String?
        switch run.pipeline.window {
        case .latest:
            try run.ledger.recordRunInputs(runId: run.runId, inputs: inputs)
            return newest
        case .drops(let count): limit = count - 1; since = nil
        case .days(let days): limit = nil; since = Timestamp.iso8601(seconds: Timestamp.unixNow() - days * 86_400)
        }
        var tables = [newest]
        let started = Timestamp.monotonic()
        var cached = 0
        if limit != 0 {
            for old in try run.ledger.windowDrops(pipeline: run.pipeline.name, before: run.dropId, limit: limit, since: since) {
                do {
                    let (table, fromCache) = try columns(of: old)
                    if fromCache { cached += 1 }
                    if let problem = newest.incompatibility(with: table) {
                        try run.event(.warning, "window.skipped",
                                      "training window: drop \(old.id) (\(old.fileName)) left out: \(problem)")
                        continue
                    }
                    tables.append(table)
                    inputs.append((old.id, table.rowCount))
                    run.inputDropHashes.append(old.sha256)
                } catch {
                    try run.event(.warning, "window.skipped",
                                  "training window: drop \(old.id) (\(old.fileName)) could not be read from \(old.path): \(error)")
                }
            }
        }
        try run.ledger.recordRunInputs(runId: run.runId, inputs: inputs)
        guard tables.count > 1 else { return newest }
        let stacked = Table.stacked(tables)
        let ms = (Timestamp.monotonic() - started) * 1000
        try run.event(.info, "window", "training window: \(tables.count) drops, \(stacked.rowCount) rows "
                      + "(drops \(inputs.map { String($0.dropId) }.joined(separator: ", "))); "
                      + "\(cached) of \(tables.count - 1) earlier drops from their column cache; assembled in \(RunContext.milliseconds(ms))")
        return stacked
    }

    /// An earlier drop's table: from its column cache when that is whole and
    /// current, else parsed from its archived CSV — whose hash must still be
    /// the ledger's — and the cache written again.
    func columns(of old: WindowDrop) throws -> (table: Table, fromCache: Bool) {
        let cache = ColumnCache.path(forArchived: old.path, sha256: old.sha256)
        if FileSystem.exists(cache) {
            do {
                return (try ColumnCache.load(cache, sha256: old.sha256, options: run.csvOptions,
                                             checksum: old.columnsChecksum), true)
            } catch {
                try run.event(.warning, "columns.rebuilt", "training window: drop \(old.id): \(error); parsing its CSV instead")
            }
        }
        let read = try DropReader.read(old.path, displayName: old.fileName, options: run.csvOptions)
        guard read.sha256 == old.sha256 else {
            throw ColumnCacheError(old.path, "has SHA-256 \(read.sha256.prefix(12))… now; the ledger recorded \(old.sha256.prefix(12))…")
        }
        do {
            let checksum = try ColumnCache.write(read.table, sha256: old.sha256, options: run.csvOptions, to: cache)
            try run.ledger.recordColumnCache(dropId: old.id, checksum: checksum)
        } catch where error is ColumnCacheError || error is SystemError {
            try run.event(.warning, "columns.unwritten", "training window: drop \(old.id): its column cache could not be written (\(error))")
        }
        return (read.table, false)
    }
}
