import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A worker never outlives its daemon, and recovery never runs a drop whose
/// worker may still be alive (issue 18: "an orphan worker races recovery").
@Suite struct OrphanWorkerTests {
    /// Whether `pid` is gone (or a zombie nobody has reaped yet).
    func isGone(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return true }
        let stat = (try? FileSystem.readText("/proc/\(pid)/stat")) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    @Test func aWorkerDiesWithItsDaemonAndTheDropRunsOnceMore() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["sleep", "approve"], seconds: 8)]))
        let first = try space.startDaemon()
        try space.drop("day.csv", ChurnData.csv(rows: 40, seed: 7))
        #expect(eventually { space.hasLedger && (try? space.count("SELECT count(*) FROM stage_runs WHERE status = 'running' AND stage LIKE 'step0%'")) == 1 })
        let worker = Int32(try space.count("SELECT pid FROM runs WHERE status = 'running'"))
        #expect(worker > 0 && !isGone(worker))
        first.signal(SIGKILL)
        _ = first.wait()
        // Its plugin sleeps 8 s; the worker must not: it reads end of file on its lifeline.
        #expect(eventually(timeout: 3) { isGone(worker) }, "worker \(worker) outlived its daemon")

        let second = try DaemonProcess(config: space.config, logPath: space.root + "/daemon2.log")
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 1 }, "\(second.log)")
        #expect(try space.strings("SELECT status FROM runs ORDER BY id") == ["interrupted", "approved"])
        #expect(try space.strings("SELECT outcome FROM drops") == ["archived"])
        #expect(try space.count("SELECT count(*) FROM drops") == 1)
        #expect(space.files("work").isEmpty)
        #expect(second.stop() == 0)
    }

    @Test func aWorkFolderAWorkerStillHoldsIsLeftAloneUntilItLetsGo() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["sleep", "approve"], seconds: 6)]))
        let first = try space.startDaemon()
        try space.drop("day.csv", ChurnData.csv(rows: 40, seed: 7))
        #expect(eventually { space.hasLedger && (try? space.count("SELECT count(*) FROM stage_runs WHERE status = 'running' AND stage LIKE 'step0%'")) == 1 })
        let folder = space.root + "/work/" + (try #require(space.files("work").first))
        first.signal(SIGKILL)
        _ = first.wait()
        // Something that outlived the daemon still holds the folder (as a worker would).
        let lock = try #require(try FileLock.acquire(folder + "/.sluice-worker.lock", timeout: 10))

        let second = try DaemonProcess(config: space.config, logPath: space.root + "/daemon2.log")
        #expect(eventually(timeout: 30) { second.log.contains("is still held by a live worker") }, "\(second.log)")
        #expect(eventually(timeout: 10) { second.log.contains("; ready") }, "\(second.log)")
        #expect(try space.strings("SELECT status FROM runs ORDER BY id") == ["running"])
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'work.worker_alive'") == 1)
        #expect(second.stop() == 0)
        close(lock)

        // Once it let go, the next start redoes the run.
        let third = try DaemonProcess(config: space.config, logPath: space.root + "/daemon3.log")
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 1 }, "\(third.log)")
        #expect(try space.strings("SELECT status FROM runs ORDER BY id") == ["interrupted", "approved"])
        #expect(third.stop() == 0)
    }

    @Test func aClaimThatNeverCompletedIsCleanedUpAndItsDropStaysInTheInbox() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"])]))
        // The daemon died while writing the claim record: only its temp file exists,
        // and the drop was never moved out of the inbox.
        try space.directory.write("work/20261202T000000Z-churn-abc/..sluice-claim.json.123.xyz.tmp", "{\"run")
        try space.drop("day.csv", ChurnData.csv(rows: 40, seed: 7))
        let daemon = try space.startDaemon()
        #expect(eventually { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(!FileSystem.exists(space.root + "/work/20261202T000000Z-churn-abc"), "\(daemon.log)")
        #expect(daemon.log.contains("a claim that never completed"), "\(daemon.log)")
        #expect(!daemon.log.contains("left in place for an operator"), "\(daemon.log)")
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'work.unreadable_claim'") == 0)
        #expect(try space.strings("SELECT outcome FROM drops") == ["archived"])
        #expect(daemon.stop() == 0)
    }
}
