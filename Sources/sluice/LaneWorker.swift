import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// `sluice work --serve PIPELINE:KIND`: a worker that pays its start-up once
/// (process, configuration, plugins, ledger) and then runs the drops of one
/// lane that the daemon sends it, one at a time, each line on stdin being
///
///     run <TAB> work folder <TAB> run key <TAB> drop id or "-"
///
/// After each run it writes `done <TAB> status <TAB> continue` (status as
/// `sluice work` would exit: 0 recorded, 75 ledger busy, 1 failed), or
/// `retire:<why>` in place of `continue` and exits: after `runs` runs, after
/// any run that did not end with 0, or when its memory or descriptors grew
/// past its first run's. A run it should not do with what it loaded (a plugin
/// file changed on disk) gets `refused <TAB> why`, and the worker exits, so the
/// daemon gives the run to a fresh worker. A crash, a hang (the time limit's
/// SIGTERM, then SIGKILL) or a resource limit ends the worker and fails only
/// the run it was doing. End of file on stdin means the daemon wants it gone.
struct LaneWorker {
    let prepared: PreparedPipeline
    let kind: DropKind
    let runs: Int

    func serve() throws {
        let plugins = PluginFileState(prepared.catalog)
        var baseline: WorkerFootprint?
        var served = 0
        while let line = readLine(strippingNewline: true) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, fields[0] == "run" else {
                throw Failure("lane worker \(getpid()): expected `run<TAB>folder<TAB>key<TAB>drop id` on stdin, got '\(line)'")
            }
            if let path = plugins.changed() {
                FileSystem.writeStandardOutput("refused\tplugin \(path) changed on disk since this worker loaded it\n")
                return
            }
            let status = runOne(workDirectory: fields[1], runKey: fields[2], dropId: Int64(fields[3]))
            served += 1
            let footprint = try WorkerFootprint.now()
            let retire: String? = if status != 0 { "its run ended with status \(status)" }
                else if served >= runs { "it served \(served) runs" }
                else { baseline.flatMap { footprint.grown(beyond: $0) } }
            if baseline == nil { baseline = footprint }
            FileSystem.writeStandardOutput("done\t\(status)\t\(retire.map { "retire:" + $0 } ?? "continue")\n")
            if retire != nil { return }
        }
    }

    /// One run, as a one-run `sluice work` would do it; returns its exit status.
    private func runOne(workDirectory: String, runKey: String, dropId: Int64?) -> Int32 {
        do {
            let lock = try Work.lockFolder(workDirectory)
            defer { close(lock) }
            CrashPoint.workerStarted.reach()
            let claim = try DropClaim.load(workDirectory: workDirectory)
            guard claim.pipeline == prepared.pipeline.name, claim.kind == kind else {
                throw Failure("work folder \(workDirectory) holds a \(claim.kind.rawValue) drop of pipeline '\(claim.pipeline)'; "
                              + "this worker serves \(kind.rawValue) drops of '\(prepared.pipeline.name)'")
            }
            try ResourceLimits.cpu(forNextRun: prepared.pipeline.limits.cpuSeconds)
            try prepared.run(claim, dropId: dropId, runKey: runKey)
            return 0
        } catch where SQLLedger.isBusy(error) {
            FileSystem.writeStandardError(Work.busyMessage(workDirectory: workDirectory, runKey: runKey, error: error))
            return Work.ledgerBusyStatus
        } catch {
            FileSystem.writeStandardError("sluice work: \(workDirectory) (run \(runKey)): \(error)\n")
            return 1
        }
    }
}
