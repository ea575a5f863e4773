import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// A lane worker (`worker_runs` above 1) serves a lane's runs one after
/// another, and is replaced rather than trusted when a run did not end
/// cleanly, when it grew, or when a plugin file changed.
@Suite(.serialized) struct LaneWorkerTests {
    /// One fixture pipeline; `stages` are (mode, extra params) pairs, then an approving stage.
    func pipeline(_ stages: [(String, String)]) -> String {
        var text = "  churn:\n    target: churned\n    seed: 1\n    on_duplicate: retrain\n    stages:\n"
        for (index, (mode, extra)) in stages.enumerated() {
            text += "      - plugin: fixture-misbehave\n        name: step\(index)-\(mode)\n"
            text += "        params: {mode: \(mode)\(extra)}\n"
        }
        return text + "      - plugin: fixture-misbehave\n        name: verdict\n        params: {mode: approve}\n"
    }

    func start(_ space: Workspace, workerRuns: Int, stages: [(String, String)], pluginPath: String? = nil) throws -> DaemonProcess {
        var config = daemonConfig([pipeline(stages)], workers: 1)
        if let pluginPath { config = config.replacingOccurrences(of: "plugin_path: [", with: "plugin_path: [\(pluginPath), ") }
        try space.writeConfig("worker_runs: \(workerRuns)\n" + config)
        return try space.startDaemon()
    }

    /// Drops files one at a time (each waits for the one before to finish), `rows` rows each.
    func dropInTurn(_ space: Workspace, _ daemon: DaemonProcess, rows: [Int]) throws {
        for (index, count) in rows.enumerated() {
            try space.drop("d\(index).csv", ChurnData.csv(rows: count, seed: 70 + UInt64(index)))
            #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == index + 1 }, "\(daemon.log.suffix(3000))")
        }
    }

    /// The pid of each drop's run, in drop order.
    func pids(_ space: Workspace) throws -> [String] {
        try space.strings("SELECT r.pid FROM runs r JOIN drops d ON d.id = r.drop_id ORDER BY d.id, r.id")
    }

    @Test(arguments: [1, 2]) func aWorkerServesWorkerRunsRunsThenANewOneStarts(_ workerRuns: Int) throws {
        let space = try Workspace()
        let daemon = try start(space, workerRuns: workerRuns, stages: [("count", "")])
        try dropInTurn(space, daemon, rows: [40, 40, 40, 40, 40])
        let pids = try pids(space)
        #expect(pids.count == 5)
        // worker_runs 1: a process per run; 2: runs 1–2, 3–4 and 5 each share one.
        let expected = workerRuns == 1 ? [0, 1, 2, 3, 4] : [0, 0, 1, 1, 2]
        #expect(pids.map { pids.firstIndex(of: $0) ?? -1 }.map { Set(pids[...$0]).count - 1 } == expected, "\(pids)")
        // What a reused worker shares between runs: the plugin's process state (docs/architecture.md).
        let calls = try space.strings("SELECT CAST(value AS INTEGER) FROM metrics WHERE name = 'misbehave_calls' ORDER BY run_id")
        #expect(calls == (workerRuns == 1 ? ["1", "1", "1", "1", "1"] : ["1", "2", "1", "2", "1"]))
        #expect(try space.strings("SELECT DISTINCT outcome FROM drops") == ["archived"])
        // No window, so no column caches: nothing would read them.
        #expect(!FileSystem.exists(space.root + "/archive/churn/.columns"))
        #expect(try space.count("SELECT count(*) FROM drops WHERE columns_checksum IS NOT NULL") == 0)
        if workerRuns == 2 { #expect(daemon.log.contains("retires: it served 2 runs"), "\(daemon.log.suffix(3000))") }
        #expect(daemon.stop() == 0)
    }

    @Test func aCrashInAReusedWorkerFailsOnlyItsRunAndAFreshWorkerTakesTheNext() throws {
        let space = try Workspace()
        let daemon = try start(space, workerRuns: 100, stages: [("segfault-at-rows", ", rows: 31")])
        try dropInTurn(space, daemon, rows: [30, 30, 31, 30])
        #expect(try space.strings("SELECT outcome FROM drops ORDER BY id") == ["archived", "archived", "quarantined", "archived"])
        #expect(try space.strings("SELECT outcome_reason FROM drops WHERE file_name = 'd2.csv'")
                    == ["worker killed by signal 11 (SIGSEGV): a plugin crashed"])
        let pids = try pids(space)
        #expect(pids[0] == pids[1] && pids[1] == pids[2] && pids[3] != pids[2], "\(pids)")
        #expect(daemon.stop() == 0)
    }

    @Test func aRunSentAheadToAWorkerThatCrashesIsGivenBackAndRunsOnce() throws {
        let space = try Workspace()
        let daemon = try start(space, workerRuns: 100, stages: [("segfault-at-rows", ", rows: 31")])
        // All at once: while one runs, the next is claimed and sent ahead to the same worker.
        for (index, rows) in [30, 30, 31, 30, 30].enumerated() {
            try space.drop("d\(index).csv", ChurnData.csv(rows: rows, seed: 80 + UInt64(index)))
        }
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 5 }, "\(daemon.log.suffix(3000))")
        #expect(try space.strings("SELECT outcome FROM drops ORDER BY file_name")
                    == ["archived", "archived", "quarantined", "archived", "archived"])
        // d3 waited in the crashed worker's stdin: given back, it ran once, on a fresh worker.
        #expect(daemon.log.contains("d3.csv] sent ahead to worker"), "\(daemon.log.suffix(3000))")
        #expect(try space.strings("SELECT d.file_name || ':' || count(r.id) FROM drops d JOIN runs r ON r.drop_id = d.id "
                                  + "GROUP BY d.id ORDER BY d.file_name") == ["d0.csv:1", "d1.csv:1", "d2.csv:1", "d3.csv:1", "d4.csv:1"])
        let crashed = try space.strings("SELECT r.pid FROM runs r JOIN drops d ON d.id = r.drop_id WHERE d.file_name = 'd2.csv'")
        let after = try space.strings("SELECT r.pid FROM runs r JOIN drops d ON d.id = r.drop_id WHERE d.file_name = 'd3.csv'")
        #expect(crashed != after, "\(crashed) \(after)")
        // Given back to the front of the lane: still in arrival order.
        #expect(try space.strings("SELECT d.file_name FROM runs r JOIN drops d ON d.id = r.drop_id ORDER BY r.id")
                    == ["d0.csv", "d1.csv", "d2.csv", "d3.csv", "d4.csv"])
        #expect(space.files("work").isEmpty, "\(space.files("work"))")
        #expect(daemon.stop() == 0)
    }

    @Test func withOneWorkerThePipelinesTakeTurnsThroughABacklog() throws {
        let space = try Workspace()
        let names = ["a", "b", "c"]
        let pipelines = names.map { name in
            pipeline([("ok", "")]).replacingOccurrences(of: "  churn:\n", with: "  \(name):\n")
        }
        try space.writeConfig("worker_runs: 100\n" + daemonConfig(pipelines, workers: 1))
        let daemon = try space.startDaemon()
        for index in 0..<3 {
            for name in names { try space.drop("\(name)\(index).csv", ChurnData.csv(rows: 30, seed: 90 + UInt64(index)), pipeline: name) }
        }
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 9 }, "\(daemon.log.suffix(3000))")
        // Round robin: no pipeline's backlog (nor a run sent ahead) keeps the others waiting.
        let order = try space.strings("SELECT pipeline FROM runs ORDER BY id")
        #expect(order == ["a", "b", "c", "a", "b", "c", "a", "b", "c"], "\(order)")
        #expect(daemon.stop() == 0)
    }

    @Test func aWorkerWhoseDescriptorsGrowIsReplaced() throws {
        let space = try Workspace()
        let daemon = try start(space, workerRuns: 100, stages: [("leak-descriptor", "")])
        try dropInTurn(space, daemon, rows: [40, 40, 40, 40, 40])
        // Baseline after run 1; runs 2–4 leak one each: past the slack of 2, the worker retires after run 4.
        let pids = try pids(space)
        #expect(Set(pids[0...3]).count == 1 && pids[4] != pids[3], "\(pids)")
        #expect(daemon.log.contains("retires: open descriptors grew from"), "\(daemon.log.suffix(3000))")
        #expect(try space.strings("SELECT DISTINCT outcome FROM drops") == ["archived"])
        #expect(daemon.stop() == 0)
    }

    @Test func aPluginFileReplacedOnDiskIsLoadedAfreshAtTheNextRun() throws {
        let space = try Workspace()
        let folder = space.root + "/plugins"
        try FileSystem.createDirectory(folder)
        let built = BuildProducts.directory + "/libsluice-fixture-misbehave.so"
        let plugin = folder + "/libsluice-fixture-misbehave.so"
        try FileManager.default.copyItem(atPath: built, toPath: plugin)
        let daemon = try start(space, workerRuns: 100, stages: [("ok", "")], pluginPath: folder)
        try dropInTurn(space, daemon, rows: [40])
        // A rebuilt plugin: a new file renamed over the old one.
        try FileManager.default.copyItem(atPath: built, toPath: plugin + ".new")
        try FileSystem.rename(plugin + ".new", to: plugin)
        try space.drop("d1.csv", ChurnData.csv(rows: 40, seed: 71))
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 2 }, "\(daemon.log.suffix(3000))")
        let pids = try pids(space)
        #expect(pids.count == 2 && pids[0] != pids[1], "\(pids)")
        #expect(daemon.log.contains("changed on disk since this worker loaded it"), "\(daemon.log.suffix(3000))")
        #expect(try space.strings("SELECT DISTINCT outcome FROM drops") == ["archived"])
        #expect(daemon.stop() == 0)
    }
}
