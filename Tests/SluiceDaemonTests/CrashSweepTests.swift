import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Crash consistency: the whole service dies (SIGKILL-equivalent `_exit`, the
/// daemon killed with its worker) at each named point of a run, then starts
/// again; every invariant of ``ServiceInvariants`` must hold. Then a
/// randomized sweep: SIGKILL of the daemon or of a worker at random moments
/// across a stream of drops.
@Suite struct CrashSweepTests {
    static let points = CrashPoint.allCases.filter { $0 != .scored }.map(\.rawValue)

    @Test(arguments: points)
    func theServiceDiesAtEachPointAndRecoversConsistently(point: String) throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.writeConfig(try FileSystem.readText(space.config).replacingOccurrences(of: "pipelines:", with: "workers: 1\npipelines:"))
        let crashing = try DaemonProcess(config: space.config, logPath: space.root + "/crash.log",
                                         environment: ["SLUICE_TEST_CRASH_AT": point, "SLUICE_TEST_CRASH_DAEMON": "1"])
        #expect(eventually(timeout: 30) { crashing.log.contains("; ready") }, "\(point): \(crashing.log)")
        try space.drop("day.csv", ChurnData.csv(rows: 500, seed: 17))
        let status = crashing.wait(timeout: 60)
        #expect(status != nil, "\(point): the service did not die there: \(crashing.log)")

        let restarted = try DaemonProcess(config: space.config, logPath: space.root + "/after.log")
        #expect(eventually(timeout: 60) {
            (try? space.finishedDrops()) == 1 && (try? space.count("SELECT count(*) FROM runs WHERE status = 'running'")) == 0
        }, "\(point): \(restarted.log)")
        #expect(restarted.stop() == 0)
        try ServiceInvariants.check(space, drops: 1, point)
        // The drop was good: it ends archived (run again where the crash came first).
        #expect(try space.strings("SELECT outcome FROM drops") == ["archived"], "\(point): \(restarted.log)")
        #expect(try space.count("SELECT count(*) FROM models WHERE publication = 'published'") == 1, "\(point)")
    }

    @Test func aWorkerDyingWhileWritingItsArchiveLeavesNoTempFileBehind() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        // Only the worker dies (the daemon serves on): what it was writing goes at once.
        let daemon = try space.startDaemon(environment: ["SLUICE_TEST_CRASH_AT": "archive.temp"])
        try space.drop("day.csv", ChurnData.csv(rows: 500, seed: 18))
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(space.files("outbox/churn").isEmpty, "\(space.files("outbox/churn"))")
        let hidden = (try? FileSystem.list(space.root + "/outbox/churn")) ?? []
        #expect(!hidden.contains { $0.hasSuffix(".tmp") }, "\(hidden)")
        #expect(try space.strings("SELECT outcome_reason FROM drops") == ["worker exited with status 86"], "\(daemon.log)")
        #expect(daemon.stop() == 0)
    }

    @Test func randomKillsOfTheDaemonAndItsWorkersLoseNothing() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        var rng = TestRandom(seed: 2026)
        var daemon = try space.startDaemon()
        var kills = (daemon: 0, worker: 0)
        let total = 14
        for index in 0..<total {
            try FileSystem.writeAtomically(ChurnData.csv(rows: 300, seed: UInt64(500 + index)),
                                           to: space.root + "/inbox/churn/day\(index).csv")
            // A random moment in the next ~0.4 s (the fault's timing, not a wait for a condition).
            usleep(UInt32(rng.uniform() * 400_000))
            let roll = rng.uniform()
            if roll < 0.25 {
                daemon.signal(SIGKILL)
                _ = daemon.wait()
                kills.daemon += 1
                daemon = try DaemonProcess(config: space.config, logPath: space.root + "/daemon-\(index).log")
                #expect(eventually(timeout: 30) { daemon.log.contains("; ready") }, "\(daemon.log)")
            } else if roll < 0.5, let pid = try? space.count("SELECT pid FROM runs WHERE status = 'running' LIMIT 1"), pid > 0 {
                kill(Int32(pid), SIGKILL)
                kills.worker += 1
            }
        }
        #expect(eventually(timeout: 120) {
            (try? space.finishedDrops()) == total && (try? space.count("SELECT count(*) FROM runs WHERE status = 'running'")) == 0
        }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        #expect(kills.daemon + kills.worker > 0)
        try ServiceInvariants.check(space, drops: total, "random kills (\(kills.daemon) daemon, \(kills.worker) worker)")
    }
}
