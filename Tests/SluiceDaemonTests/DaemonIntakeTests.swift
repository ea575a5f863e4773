import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// inotify intake with a real daemon process.
@Suite(.serialized) struct DaemonIntakeTests {
    @Test func copyRenameAndSlowWriterAreEachProcessedOnceAndWhole() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"])]))
        let daemon = try space.startDaemon()
        let rows = 400
        // 1. cp from outside (IN_CLOSE_WRITE).
        let outside = try space.directory.write("outside/copied.csv", ChurnData.csv(rows: rows, seed: 1))
        #expect(try Command.run("/bin/cp", [outside, space.root + "/inbox/churn/copied.csv"]).status == 0)
        // 2. Write to a temp name, then rename (IN_MOVED_TO).
        try space.drop("renamed.csv", ChurnData.csv(rows: rows, seed: 2))
        // 3. A slow writer: pieces over about 3 s, closed at the end.
        let slow = space.root + "/inbox/churn/slow.csv"
        let bytes = Array(ChurnData.csv(rows: rows, seed: 3).utf8)
        // One open(2), six write(2)s half a second apart, one close(2).
        let fd = open(slow, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        let pieces = 6
        for piece in 0..<pieces {
            let range = (bytes.count * piece / pieces)..<(bytes.count * (piece + 1) / pieces)
            let written = bytes[range].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            #expect(written == range.count)
            usleep(500_000)
        }
        close(fd)

        #expect(eventually { space.hasLedger && (try? space.finishedDrops()) == 3 }, "\(daemon.log)")
        usleep(300_000)   // nothing more should arrive
        #expect(try space.count("SELECT count(*) FROM drops") == 3)
        #expect(try space.strings("SELECT file_name FROM drops ORDER BY file_name") == ["copied.csv", "renamed.csv", "slow.csv"])
        // Never read half-written: every drop has all its rows.
        #expect(try space.count("SELECT count(*) FROM drops WHERE rows = ? AND outcome = 'archived'", [rows]) == 3)
        #expect(space.files("inbox/churn").isEmpty)
        #expect(daemon.stop() == 0)
    }

    @Test func twoHundredDropsAcrossTwoPipelinesAreEachProcessedOnce() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"]),
                                            fixturePipeline("other", modes: ["ok"])]))
        let daemon = try space.startDaemon()
        for index in 0..<100 {
            try space.drop("c\(index).csv", ChurnData.csv(rows: 25, seed: UInt64(index)), pipeline: "churn")
            try space.drop("o\(index).csv", ChurnData.csv(rows: 25, seed: UInt64(1000 + index)), pipeline: "other")
        }
        #expect(eventually(timeout: 300) { (try? space.finishedDrops()) == 200 }, "\(daemon.log.suffix(3000))")
        #expect(try space.count("SELECT count(*) FROM drops") == 200)
        #expect(try space.count("SELECT count(DISTINCT pipeline || '/' || file_name) FROM drops") == 200)
        #expect(try space.count("SELECT count(*) FROM runs") == 200)
        // churn approves (models v1…v100), other gives no verdict (rejected); all archived.
        #expect(try space.count("SELECT count(*) FROM drops WHERE outcome = 'archived'") == 200)
        #expect(try space.count("SELECT max(version) FROM models WHERE pipeline = 'churn'") == 100)
        #expect(space.files("archive/churn").count == 100 && space.files("archive/other").count == 100)
        #expect(space.files("work").isEmpty)
        // The metrics file is rewritten after each worker is reaped, just after the ledger row.
        let metricsPath = space.root + "/metrics/sluice.prom"
        #expect(eventually(timeout: 10) {
            let metrics = (try? FileSystem.readText(metricsPath)) ?? ""
            return metrics.contains("sluice_drops_total{pipeline=\"churn\",outcome=\"archived\"} 100")
                && metrics.contains("sluice_model_version{pipeline=\"churn\"} 100")
                && metrics.contains("sluice_runs_total{pipeline=\"other\",status=\"rejected\"} 100")
        }, "\((try? FileSystem.readText(metricsPath)) ?? "no metrics file")")
        #expect(daemon.stop() == 0)
    }

    @Test func aFileThatIsNeverClosedIsTakenOnceItsSizeSettles() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"])]))
        let daemon = try space.startDaemon()
        let path = space.root + "/inbox/churn/open.csv"
        let bytes = Array(ChurnData.csv(rows: 80, seed: 12).utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        // No close: only the settle interval (2 s here) lets the daemon take it.
        #expect(eventually { space.hasLedger && (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(daemon.log.contains("open.csv was never closed but its size settled; taking it"))
        #expect(try space.count("SELECT rows FROM drops") == 80)
        #expect(daemon.stop() == 0)
    }

    @Test func aVanishedInboxIsReportedAndTheOtherPipelinesKeepWorking() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"]),
                                            fixturePipeline("other", modes: ["approve"])]))
        let daemon = try space.startDaemon()
        try FileManager.default.removeItem(atPath: space.root + "/inbox/other")
        #expect(eventually { daemon.log.contains("[other] inbox folder disappeared") }, "\(daemon.log)")
        #expect(eventually { (try? space.count("SELECT count(*) FROM events WHERE kind = 'inbox.gone' AND pipeline = 'other'")) == 1 })
        try space.drop("day.csv", ChurnData.csv(rows: 30, seed: 4))
        #expect(eventually { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
    }

    @Test func aDuplicateIsArchivedWithoutRetraining() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"])]))
        let daemon = try space.startDaemon()
        let text = ChurnData.csv(rows: 50, seed: 9)
        try space.drop("first.csv", text)
        #expect(eventually { (try? space.finishedDrops()) == 1 })
        try space.drop("again.csv", text)
        #expect(eventually { (try? space.finishedDrops()) == 2 })
        #expect(try space.strings("SELECT status FROM runs ORDER BY id") == ["approved", "duplicate"])
        let reason = try space.strings("SELECT outcome_reason FROM drops WHERE file_name = 'again.csv'").first ?? ""
        #expect(reason.hasPrefix("duplicate of drop 1"))
        #expect(daemon.stop() == 0)
    }
}
