import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// Another process holds the ledger's write lock for 15 s, past the 10 s busy
/// timeout: runs wait, their workers exit saying so, and the daemon runs the
/// drops again once the lock is gone — none is quarantined, none is lost
/// (issue 18: "a held ledger lock quarantines good drops").
@Suite struct LedgerContentionTests {
    @Test func aLedgerLockedFor15SecondsDelaysDropsButLosesNone() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"])]))
        let daemon = try space.startDaemon()
        // The ledger exists and is idle: now another process takes its write lock.
        try space.drop("warmup.csv", ChurnData.csv(rows: 40, seed: 1))
        #expect(eventually { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        let held = space.root + "/lock-held"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO events(at, level, kind, message) VALUES (datetime('now'), 'info', 'test.lock', 'held')")
            open(sys.argv[2], "w").close()
            time.sleep(15)
            db.execute("COMMIT")
            """, space.root + "/ledger.sqlite", held]
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        #expect(eventually(timeout: 20) { FileSystem.exists(held) }, "the lock holder did not start")
        try space.drop("one.csv", ChurnData.csv(rows: 40, seed: 2))
        try space.drop("two.csv", ChurnData.csv(rows: 40, seed: 3))

        #expect(eventually(timeout: 90) { (try? space.finishedDrops()) == 3 }, "\(daemon.log)")
        holder.waitUntilExit()
        #expect(holder.terminationStatus == 0)
        #expect(try space.strings("SELECT outcome FROM drops ORDER BY id") == ["archived", "archived", "archived"], "\(daemon.log)")
        #expect(try space.count("SELECT count(*) FROM drops") == 3, "one row per drop, retries included")
        #expect(daemon.log.contains("the ledger stayed locked by another process past its 10 s busy timeout"), "\(daemon.log)")
        #expect(daemon.log.contains("sluice work: "), "the worker says which run and why: \(daemon.log)")
        #expect(try space.count("SELECT count(*) FROM runs WHERE status = 'running'") == 0)
        #expect(space.files("work").isEmpty)
        #expect(space.files("quarantine/churn").isEmpty)
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }
}
