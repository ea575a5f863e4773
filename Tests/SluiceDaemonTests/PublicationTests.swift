import Foundation
import GRDB
import Synchronization
import SluiceSystem
import SluiceTestSupport
import Testing

/// Publishing is reserved in the ledger: versions are never shared or
/// overwritten, and a crash at any step leaves the outbox, `current` and the
/// ledger consistent after the next start.
@Suite struct PublicationTests {
    /// What must hold whatever happened: every published row has its archive
    /// with the recorded hash, nothing is left `publishing`, no temp file in
    /// the outbox, and `current` names the ledger's champion.
    func expectConsistent(_ space: Workspace, _ context: String) throws {
        let outbox = space.root + "/outbox/churn"
        let rows = try space.ledger().read { db in
            try Row.fetchAll(db, sql: "SELECT version, archive_path, archive_sha256 FROM models WHERE publication = 'published'")
        }
        for row in rows {
            let path: String = row["archive_path"]
            #expect(FileSystem.isRegularFile(path), "\(context): v\(row["version"] as Int) has no archive")
            #expect(try ContentHash.sha256(file: path) == row["archive_sha256"] as String, "\(context): \(path) changed")
        }
        let archives = try FileSystem.list(outbox).filter { $0.hasPrefix("churn-v") }
        #expect(archives.count == rows.count, "\(context): archives \(archives) for \(rows.count) published rows")
        #expect(try FileSystem.list(outbox).allSatisfy { !$0.hasSuffix(".tmp") }, "\(context)")
        #expect(try space.count("SELECT count(*) FROM models WHERE publication = 'publishing'") == 0, "\(context)")
        let champion = try space.strings("SELECT archive_path FROM current_models WHERE pipeline = 'churn'").first
        #expect(FileSystem.symlinkTarget(outbox + "/current.tar.gz") == champion.map(FileSystem.baseName), "\(context)")
    }

    @Test func twoProcessesPublishingAtOnceNeverShareAVersion() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        for index in 0..<6 {
            try space.drop("day\(index).csv", ChurnData.csv(rows: 400, seed: UInt64(100 + index)))
        }
        let results = Mutex<[String]>([])
        let (config, root) = (space.config, space.root)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let text: String
            do {
                let result = try Command.sluice(["serve", "--once", "--config", config], in: root)
                text = result.status == 0 ? "ok" : "status \(result.status): \(result.output)"
            } catch {
                text = "\(error)"
            }
            results.withLock { $0.append(text) }
        }
        #expect(results.withLock { $0 } == ["ok", "ok"])
        let versions = try space.ledger().read { db in
            try Int.fetchAll(db, sql: "SELECT version FROM models WHERE publication = 'published' ORDER BY version")
        }
        #expect(versions.count == 6, "every drop approved: \(versions)")
        #expect(versions == Array(1...versions.count))
        #expect(try space.count("SELECT count(DISTINCT run_id) FROM models WHERE publication = 'published'") == versions.count)
        try expectConsistent(space, "two publishers")
    }

    @Test(arguments: ["publish.reserved", "publish.archived", "publish.switched"])
    func aCrashAtEachStepIsSettledAtTheNextStart(point: String) throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.drop("day.csv", ChurnData.csv(rows: 600, seed: 7))
        let crashed = try space.serve(environment: ["SLUICE_TEST_CRASH_AT": point])
        #expect(crashed.status == 86, "\(point): \(crashed.output)")
        #expect(try space.count("SELECT count(*) FROM models WHERE publication = 'publishing'") == 1)

        let daemon = try space.startDaemon()
        #expect(eventually(timeout: 60) { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        try expectConsistent(space, point)
        #expect(space.files("archive/churn").count == 1, "\(point): the drop is archived")
        #expect(space.files("work").isEmpty)
        let published = try space.count("SELECT count(*) FROM models WHERE publication = 'published'")
        #expect(published == 1, "\(point): one model in service")
        if point == "publish.reserved" {
            // Nothing was written: v1 is abandoned and never reused; the re-run publishes v2.
            #expect(try space.strings("SELECT publication FROM models WHERE version = 1") == ["abandoned"])
            #expect(try space.strings("SELECT archive_path FROM current_models").first?.hasSuffix("churn-v2.tar.gz") == true)
        } else {
            // v1 was in place: completed, and the drop is filed without a second run.
            #expect(try space.strings("SELECT archive_path FROM current_models").first?.hasSuffix("churn-v1.tar.gz") == true)
            #expect(try space.count("SELECT count(*) FROM runs") == 1)
            #expect(try space.strings("SELECT status FROM runs") == ["approved"])
        }
    }
}
