import Foundation
import SluiceLedger
import SluiceSystem
import SluiceTestSupport
import Testing

/// Three daemons — three processes, each its own host name — share one
/// inbox folder tree, one state folder and one real PostgreSQL ledger, as
/// hosts on a network share do (docs/scale.md). One is killed with SIGKILL
/// while it runs a drop; another host takes its claims over once its leases
/// run out. Every drop must be processed exactly once: ledger, folders and
/// outbox agree.
@Suite(.serialized) struct SharedLedgerTests {
    let directory = TemporaryDirectory("sluice-shared")
    var root: String { directory.path }

    func config(host: String, ledger: String) -> String {
        """
        state_dir: state
        plugin_path: [\(BuildProducts.directory)]
        ledger: \(ledger)
        host: \(host)
        lease_seconds: 3
        rescan_seconds: 1
        workers: 2
        settle_seconds: 0.2
        metrics_file: metrics/\(host).prom
        pipelines:
        \(pipeline("alpha"))
        \(pipeline("beta"))
        """
    }

    func pipeline(_ name: String) -> String {
        """
          \(name):
            inbox: inbox/\(name)
            target: churned
            seed: 7
            stages:
              # Which drop pins the schema depends on the order the hosts run
              # them in; 50-row drops' ranges vary, and this test is about
              # exactly-once, not range checks.
              - plugin: validate
                params: {range_tolerance: 1.0}
              - plugin: features
              - plugin: train
              - plugin: evaluate
            promotion:
              min: {auc: 0.0}
        """
    }

    @Test func threeDaemonsProcessEachOfThreeHundredDropsExactlyOnce() throws {
        let url = try PostgresServer.freshDatabase("sluice_shared")
        let ledger = try SQLLedger.open(url)
        // host-2 dies mid-run, at a known point: its first worker to reach its
        // first stage SIGKILLs the daemon and itself (CrashPoint). It starts
        // alone, so it holds both lanes when the first drops arrive.
        var daemons: [String: DaemonProcess] = [:]
        for host in ["host-1", "host-2", "host-3"] {
            try directory.write("\(host).yaml", config(host: host, ledger: url))
        }
        let victimHost = "host-2"
        let victim = try DaemonProcess(config: root + "/host-2.yaml", logPath: root + "/host-2.log",
                                       environment: ["SLUICE_TEST_CRASH_AT": "stage.first", "SLUICE_TEST_CRASH_DAEMON": "1"])
        daemons[victimHost] = victim
        #expect(eventually(timeout: 60) { victim.log.contains("ready") }, "host-2 did not start: \(victim.log)")
        // 150 drops per pipeline, each written under a temp name and renamed in.
        func drop(_ index: Int) throws {
            let pipeline = index % 2 == 0 ? "alpha" : "beta"
            let name = "drop-\(String(format: "%03d", index)).csv"
            try directory.write("inbox/\(pipeline)/.\(name).tmp", ChurnData.csv(rows: 50, seed: UInt64(1000 + index)))
            try FileSystem.rename(root + "/inbox/\(pipeline)/.\(name).tmp", to: root + "/inbox/\(pipeline)/\(name)")
        }
        for index in 0..<10 { try drop(index) }
        #expect(victim.wait(timeout: 60) != nil, "host-2 did not die at its first stage: \(victim.log)")
        #expect(try count(ledger, "SELECT count(*) FROM runs WHERE host = 'host-2' AND status = 'running'") >= 1)
        // The other two start now; host-2's leases run out and they take its drops over.
        for host in ["host-1", "host-3"] {
            daemons[host] = try DaemonProcess(config: root + "/\(host).yaml", logPath: root + "/\(host).log")
        }
        for host in ["host-1", "host-3"] {
            #expect(eventually(timeout: 60) { daemons[host]!.log.contains("ready") }, "\(host) did not start: \(daemons[host]!.log)")
        }
        for index in 10..<300 { try drop(index) }
        let survivors = ["host-1", "host-3"]

        let settled = try eventually(timeout: 400) {
            try count(ledger, "SELECT count(*) FROM drops WHERE outcome <> 'claimed'") == 300
                && files("inbox/alpha").isEmpty && files("inbox/beta").isEmpty && files("state/work").isEmpty
        }
        let drops = try count(ledger, "SELECT count(*) FROM drops")
        #expect(settled, "not settled: \(drops) drops recorded; \(survivors[0]) log tail: \(daemons[survivors[0]]!.log.suffix(2000))")

        // Ledger: one row per file, each archived, each with exactly one run that ended it.
        #expect(drops == 300)
        #expect(try count(ledger, "SELECT count(DISTINCT file_name) FROM drops") == 300)
        let unarchived = try ledger.database.read { db in
            try db.fetchAll(sql: "SELECT file_name, outcome, outcome_reason FROM drops WHERE outcome <> 'archived' ORDER BY id LIMIT 5")
        }.map { "\($0["file_name"] as String? ?? ""): \($0["outcome"] as String? ?? "") (\($0["outcome_reason"] as String? ?? ""))" }
        #expect(unarchived.isEmpty, "\(unarchived)")
        #expect(try count(ledger, """
            SELECT count(*) FROM drops d WHERE (SELECT count(*) FROM runs r WHERE r.drop_id = d.id
                                                AND r.status IN ('approved', 'rejected', 'duplicate')) <> 1
            """) == 0)
        #expect(try count(ledger, "SELECT count(*) FROM runs WHERE status = 'running'") == 0)
        // The killed host's drop was run again by another host, as a takeover.
        let interrupted = try ledger.database.read { db in
            try db.fetchAll(sql: "SELECT drop_id FROM runs WHERE status = 'interrupted' AND host = ?", arguments: [victimHost])
        }
        #expect(!interrupted.isEmpty, "no run of \(victimHost) was interrupted")
        for row in interrupted {
            let drop: Int64 = row["drop_id"]
            #expect(try count(ledger, "SELECT count(*) FROM runs WHERE drop_id = ? AND host <> ? AND status <> 'interrupted'",
                              [drop, victimHost]) == 1)
        }
        #expect(try count(ledger, "SELECT count(*) FROM claims WHERE takeovers > 0") >= 1)
        #expect(try count(ledger, "SELECT count(*) FROM claims WHERE state <> 'done'") == 0)
        #expect(try count(ledger, "SELECT count(DISTINCT host) FROM runs") >= 2)

        // Folders: every drop archived once; every published version's archive in the outbox, none twice.
        for pipeline in ["alpha", "beta"] {
            #expect(files("state/archive/\(pipeline)").count == 150)
            let versions = try ledger.models(pipeline: pipeline).compactMap { model in
                model.publication == "published" ? model.version : nil
            }
            #expect(Set(versions).count == versions.count)
            let archives = files("state/outbox/\(pipeline)").filter { $0.hasPrefix("\(pipeline)-v") }
            #expect(archives.count == versions.count, "\(pipeline): \(archives.count) archives for \(versions.count) versions")
            let current = FileSystem.symlinkTarget(root + "/state/outbox/\(pipeline)/current.tar.gz")
            let serving = try ledger.currentModel(pipeline: pipeline)?.version
            #expect(current == serving.map { "\(pipeline)-v\($0).tar.gz" })
        }
        // Each surviving host says who it is in its metrics file.
        for host in survivors {
            #expect(eventually(timeout: 30) {
                (try? String(contentsOfFile: root + "/metrics/\(host).prom", encoding: .utf8))?
                    .contains("sluice_host_info{host=\"\(host)\"} 1") ?? false
            })
            #expect(daemons[host]!.stop() == 0)
        }
        // The report names the host of each run.
        let report = try Command.sluice(["report", "--config", root + "/\(survivors[0]).yaml"], in: root)
        #expect(report.status == 0)
        #expect(survivors.contains { report.stdout.contains("on \($0)") }, "\(report.stdout)")
    }

    func files(_ folder: String) -> [String] {
        ((try? FileSystem.list(root + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }
    }

    func count(_ ledger: SQLLedger, _ sql: String, _ arguments: [any LedgerBindable] = []) throws -> Int {
        try ledger.database.read { db in try db.scalar(Int.self, sql: sql, arguments: arguments) ?? -1 }
    }
}
