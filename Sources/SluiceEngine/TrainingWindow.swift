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
        if limit != 0 {
            for old in try run.ledger.windowDrops(pipeline: run.pipeline.name, before: run.dropId, limit: limit, since: since) {
                do {
                    let read = try DropReader.read(old.path, displayName: old.fileName, options: run.csvOptions)
                    if let problem = newest.incompatibility(with: read.table) {
                        try run.event(.warning, "window.skipped",
                                      "training window: drop \(old.id) (\(old.fileName)) left out: \(problem)")
                        continue
                    }
                    tables.append(read.table)
                    inputs.append((old.id, read.table.rowCount))
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
        try run.event(.info, "window", "training window: \(tables.count) drops, \(stacked.rowCount) rows "
                      + "(drops \(inputs.map { String($0.dropId) }.joined(separator: ", ")))")
        return stacked
    }
}
