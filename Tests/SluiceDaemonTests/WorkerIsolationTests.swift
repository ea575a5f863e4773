import Foundation
import SluiceArchive
import SluiceSystem
import SluiceTestSupport
import Testing

/// A plugin can only fail its own run; kill -9 loses nothing.
@Suite(.serialized) struct WorkerIsolationTests {
    @Test func crashingHangingAndGreedyPluginsFailOnlyTheirRuns() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([
            fixturePipeline("segv", modes: ["segfault"]),
            fixturePipeline("abrt", modes: ["abort"]),
            fixturePipeline("hang", modes: ["hang"], limits: "{time_seconds: 2, grace_seconds: 1}"),
            fixturePipeline("greedy", modes: ["allocate"], limits: "{memory_mb: 600}"),
            fixturePipeline("good", modes: ["approve"]),
        ]))
        let daemon = try space.startDaemon()
        for pipeline in ["segv", "abrt", "hang", "greedy", "good"] {
            try space.drop("\(pipeline).csv", ChurnData.csv(rows: 30, seed: 5), pipeline: pipeline)
        }
        #expect(eventually(timeout: 120) { (try? space.finishedDrops()) == 5 }, "\(daemon.log.suffix(4000))")
        func reason(_ pipeline: String) throws -> String {
            try space.strings("SELECT outcome_reason FROM drops WHERE pipeline = ?", [pipeline]).first ?? ""
        }
        #expect(try reason("segv") == "worker killed by signal 11 (SIGSEGV): a plugin crashed")
        #expect(try reason("abrt").hasPrefix("worker killed by signal 6 (SIGABRT)"))
        #expect(try reason("hang").hasPrefix("worker stopped: time limit of 2 s exceeded"))
        let greedy = try reason("greedy")
        #expect(greedy.contains("malloc returned NULL") || greedy.contains("worker killed"), "\(greedy)")
        for pipeline in ["segv", "abrt", "hang", "greedy"] {
            #expect(try space.strings("SELECT outcome FROM drops WHERE pipeline = ?", [pipeline]) == ["quarantined"])
            let files = space.files("quarantine/\(pipeline)")
            #expect(files.count == 2 && files.contains { $0.hasSuffix(".reason") }, "\(pipeline): \(files)")
        }
        #expect(try space.count("SELECT count(*) FROM stage_runs WHERE status = 'running'") == 0)
        #expect(try reason("good") == "model v1 approved and published")
        // The daemon is still serving: the next drop succeeds.
        try space.drop("next.csv", ChurnData.csv(rows: 30, seed: 6), pipeline: "good")
        #expect(eventually { (try? space.finishedDrops()) == 6 })
        #expect(try space.strings("SELECT status FROM runs WHERE pipeline = 'good' ORDER BY id") == ["approved", "approved"])
        #expect(daemon.stop() == 0)
    }

    @Test func killMinusNineOfTheDaemonMidRunLosesNothing() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["sleep", "approve"], seconds: 3)]))
        let first = try space.startDaemon()
        try space.drop("day.csv", ChurnData.csv(rows: 40, seed: 7))
        #expect(eventually { space.hasLedger && (try? space.count("SELECT count(*) FROM stage_runs WHERE status = 'running' AND stage LIKE 'step0%'")) == 1 })
        first.signal(SIGKILL)
        _ = first.wait()
        #expect(space.files("outbox/churn").filter { !$0.hasPrefix(".") }.isEmpty)

        let second = try DaemonProcess(config: space.config, logPath: space.root + "/daemon2.log")
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 1 }, "\(second.log)")
        #expect(try space.strings("SELECT status FROM runs ORDER BY id") == ["interrupted", "approved"])
        #expect(try space.strings("SELECT outcome FROM drops") == ["archived"])
        #expect(space.files("outbox/churn").sorted() == ["churn-v1.tar.gz", "current.tar.gz"])
        #expect(try ArchiveReader.members(of: space.root + "/outbox/churn/churn-v1.tar.gz").contains { $0.name == "manifest.json" })
        #expect(space.files("work").isEmpty)
        #expect(second.stop() == 0)
    }

    @Test func aDropInterruptedMaxAttemptsTimesIsQuarantinedWithItsHistory() throws {
        let space = try Workspace()
        let pipeline = fixturePipeline("churn", modes: ["sleep", "approve"], seconds: 5)
            .replacingOccurrences(of: "    seed: 1\n", with: "    seed: 1\n    max_attempts: 1\n")
        try space.writeConfig(daemonConfig([pipeline]))
        let first = try space.startDaemon()
        try space.drop("day.csv", ChurnData.csv(rows: 40, seed: 7))
        #expect(eventually { space.hasLedger && (try? space.count("SELECT count(*) FROM stage_runs WHERE status = 'running' AND stage LIKE 'step0%'")) == 1 })
        first.signal(SIGKILL)
        _ = first.wait()
        // A half-written archive as a crash in publishing would leave it.
        try FileSystem.writeAtomically("partial", to: space.root + "/outbox/churn/.churn-v1.tar.gz.123.abc.tmp")

        let second = try DaemonProcess(config: space.config, logPath: space.root + "/daemon2.log")
        #expect(eventually { (try? space.finishedDrops()) == 1 }, "\(second.log)")
        #expect(try space.strings("SELECT outcome FROM drops") == ["quarantined"])
        let reason = try space.strings("SELECT outcome_reason FROM drops").first ?? ""
        #expect(reason == "interrupted 1 times (max_attempts 1); giving up")
        #expect(try space.strings("SELECT status FROM runs") == ["interrupted"])
        #expect(space.files("outbox/churn").isEmpty)   // the temp file was removed
        #expect(second.log.contains("removed an incomplete archive left in the outbox"))
        #expect(second.stop() == 0)
    }

    @Test func killMinusNineOfAWorkerQuarantinesItsDropAndTheDaemonCarriesOn() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["sleep", "approve"], seconds: 2)]))
        let daemon = try space.startDaemon()
        try space.drop("doomed.csv", ChurnData.csv(rows: 40, seed: 8))
        #expect(eventually { space.hasLedger && (try? space.count("SELECT count(*) FROM stage_runs WHERE status = 'running' AND stage LIKE 'step0%'")) == 1 })
        let pid = try space.count("SELECT pid FROM runs WHERE status = 'running'")
        kill(Int32(pid), SIGKILL)
        #expect(eventually { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(try space.strings("SELECT outcome_reason FROM drops") == ["worker killed by signal 9 (SIGKILL)"])
        try space.drop("fine.csv", ChurnData.csv(rows: 40, seed: 9))
        #expect(eventually { (try? space.finishedDrops()) == 2 }, "\(daemon.log)")
        #expect(try space.strings("SELECT outcome FROM drops ORDER BY id") == ["quarantined", "archived"])
        #expect(daemon.stop() == 0)
    }
}
