import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

let privateMountsAvailable = getuid() == 0 && FileSystem.exists("/usr/bin/unshare")

/// The state folder on a small tmpfs in a private mount namespace (`unshare
/// -m`, so nothing leaks into the host's mounts), filled up while drops
/// arrive: nothing is lost or half-visible, the daemon stays up, and the
/// stranded drop is taken once space returns — without a restart (issue 18:
/// "disk full strands drops"). The test reaches the namespace's files through
/// `/proc/<daemon pid>/root`.
@Suite(.enabled(if: privateMountsAvailable, "needs root and unshare (a tmpfs in a private mount namespace)"))
struct DiskFullTests {
    @Test func aFullDiskStrandsNothingAndTheDaemonTakesTheDropWhenSpaceReturns() throws {
        let directory = TemporaryDirectory("sluice-full")
        let state = directory.url("state")
        try FileSystem.createDirectory(state)
        let config = try directory.write("sluice.yaml", """
            state_dir: \(state)
            plugin_path: [\(BuildProducts.directory)]
            workers: 1
            settle_seconds: 1
            pipelines:
              churn:
                target: churned
                seed: 42
                stages:
                  - plugin: validate
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
                promotion:
                  min: {auc: 0.5}
            """)
        let log = directory.url("daemon.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        daemon.arguments = ["--mount", "--propagation", "private", "/bin/sh", "-c",
                            "mount -t tmpfs -o size=8m tmpfs \"$0\" && exec \"$1\" serve --config \"$2\"",
                            state, BuildProducts.sluice, config]
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        daemon.standardOutput = output
        daemon.standardError = output
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        func logText() -> String { (try? FileSystem.readText(log)) ?? "" }
        #expect(eventually(timeout: 30) { logText().contains("; ready") }, "\(logText())")
        let inside = "/proc/\(daemon.processIdentifier)/root\(state)"
        // SQLite resolves the /proc/<pid>/root link to "/" (our namespace), so
        // the ledger is read from inside the daemon's namespace, as `sluice report` would be.
        func query(_ sql: String) -> [String] {
            let result = try? Command.run("/usr/bin/nsenter", ["-t", String(daemon.processIdentifier), "-m", "python3", "-c", """
                import sqlite3, sys
                db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, timeout=10)
                for row in db.execute(sys.argv[2]): print(row[0])
                """, state + "/ledger.sqlite", sql])
            return result?.status == 0 ? result!.stdout.split(separator: "\n").map(String.init) : ["query failed: \(result?.output ?? "")"]
        }
        func finished() -> Int { Int(query("SELECT count(*) FROM drops WHERE outcome != 'claimed'").first ?? "") ?? -1 }

        try FileSystem.writeAtomically(ChurnData.csv(rows: 300, seed: 1), to: inside + "/inbox/churn/a.csv")
        #expect(eventually(timeout: 30) { finished() == 1 }, "\(logText())")

        // The next drop waits under a temp name; then the disk fills up.
        try FileSystem.writeAtomically(ChurnData.csv(rows: 300, seed: 2), to: inside + "/inbox/churn/.b.csv.tmp")
        let filler = inside + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 0)
        let chunk = [UInt8](repeating: 7, count: 65536)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        #expect(errno == ENOSPC)
        close(fd)
        try FileSystem.rename(inside + "/inbox/churn/.b.csv.tmp", to: inside + "/inbox/churn/b.csv")
        #expect(eventually(timeout: 20) { logText().contains("could not claim b.csv") }, "\(logText())")
        #expect(daemon.isRunning, "the daemon stays up on a full disk")
        #expect(FileSystem.exists(inside + "/inbox/churn/b.csv"), "the drop waits where it was")
        #expect(try FileSystem.list(inside + "/outbox/churn").allSatisfy { !$0.hasSuffix(".tmp") })

        // Space returns: the drop is taken without a restart.
        try FileSystem.remove(filler)
        #expect(eventually(timeout: 40) { finished() == 2 }, "\(logText())")
        #expect(query("SELECT outcome FROM drops ORDER BY id") == ["archived", "archived"], "\(logText())")
        #expect(try FileSystem.list(inside + "/inbox/churn").isEmpty)
        #expect(try FileSystem.list(inside + "/work").isEmpty)
        #expect(query("PRAGMA integrity_check") == ["ok"])
        let outbox = try FileSystem.list(inside + "/outbox/churn")
        #expect(outbox.allSatisfy { !$0.hasSuffix(".tmp") }, "\(outbox)")
        for archive in outbox where archive.hasPrefix("churn-v") {
            let verify = try Command.sluice(["verify", inside + "/outbox/churn/" + archive])
            #expect(verify.status == 0, "\(archive): \(verify.output)")
        }
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0, "\(logText())")
    }
}
