import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// Retention deletes only what nothing needs, and leaves tombstones that
/// history, lineage and rollback still answer for.
@Suite struct RetentionTests {
    func sluice(_ space: Workspace, _ arguments: [String]) throws -> CommandResult {
        try Command.sluice(arguments + ["--config", space.config], in: space.root)
    }

    @Test(arguments: TestLedger.allCases) func retentionKeepsTheChampionTheRollbackReachAndReferencedDropsAndLeavesTombstones(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.5}",
                                  pipelineExtra: "    retention: {keep_last: 1}\n    window: {drops: 2}")
        for index in 0..<5 {
            try space.drop("d\(index).csv", ChurnData.csv(rows: 300, seed: 1000 + UInt64(index)))
            #expect(try space.serve().status == 0)
        }
        // Kept: v5 (champion, newest) and v4 (one rollback away); v1–v3 deleted after the publications.
        #expect(space.files("outbox/churn").sorted() == ["churn-v4.tar.gz", "churn-v5.tar.gz", "current.tar.gz"])
        #expect(try space.strings("SELECT version FROM models WHERE deleted_at IS NOT NULL ORDER BY version") == ["1", "2", "3"])
        #expect(try space.strings("SELECT DISTINCT deleted_reason FROM models WHERE deleted_at IS NOT NULL").first?
                    .hasPrefix("retention: not the champion") == true)
        // Drops: v5 trained on d4+d3, v4 on d3+d2; d0 and d1 are needed by nothing.
        #expect(try space.strings("SELECT file_name FROM drops WHERE deleted_at IS NOT NULL ORDER BY id") == ["d0.csv", "d1.csv"])
        #expect(space.files("archive/churn").count == 3)
        // Each kept drop keeps its column cache; a deleted drop's goes with it.
        let kept = Set(space.files("archive/churn").map { String($0.prefix(64)) })
        #expect(Set(space.files("archive/churn/.columns").map { String($0.prefix(64)) }) == kept)
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'retention.deleted'") == 5)

        // Tombstones answer: history, lineage, and a refused rollback.
        let history = try sluice(space, ["history", "churn"])
        #expect(history.stdout.contains("5 changes of the model in service"))
        #expect(history.stdout.components(separatedBy: "[archive deleted ").count - 1 == 3)
        let lineage = try sluice(space, ["lineage", "churn:1"])
        #expect(lineage.status == 0, "\(lineage.output)")
        #expect(lineage.stdout.contains("— deleted "), "\(lineage.stdout)")
        #expect(lineage.stdout.contains("(deleted "), "\(lineage.stdout)")
        let refused = try sluice(space, ["rollback", "churn", "--to", "2", "--reason", "x"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("churn v2: deleted "), "\(refused.stderr)")
        #expect(try sluice(space, ["rollback", "churn", "--reason", "reach"]).status == 0)
        #expect(FileSystem.symlinkTarget(space.root + "/outbox/churn/current.tar.gz") == "churn-v4.tar.gz")

        let dry = try sluice(space, ["gc", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("churn: nothing to delete"), "\(dry.stdout)")
        // The next run's window still finds its drop.
        try space.drop("d5.csv", ChurnData.csv(rows: 300, seed: 1005))
        #expect(try space.serve().status == 0)
        #expect(try space.strings("""
            SELECT d.file_name FROM run_inputs i JOIN drops d ON d.id = i.drop_id
            WHERE i.run_id = (SELECT max(id) FROM runs) ORDER BY i.position
            """) == ["d5.csv", "d4.csv"])
    }

    @Test(arguments: TestLedger.allCases) func rejectedCandidatesGoAfterRejectedDaysAndDryRunDeletesNothing(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.999}", pipelineExtra: "    retention: {rejected_days: 0.00001}")
        try space.drop("day.csv", ChurnData.csv(rows: 300, seed: 1100))
        #expect(try space.serve().status == 0)
        #expect(space.files("outbox/churn/rejected").count == 1)
        // 0.00001 days is under a second: wait until the candidate is old enough to be listed.
        #expect(eventually(timeout: 30) { (try? sluice(space, ["gc", "--dry-run"]).stdout.contains("would delete 1 file")) == true })
        #expect(space.files("outbox/churn/rejected").count == 1)
        let result = try sluice(space, ["gc"])
        #expect(result.stdout.contains("churn: deleted 1 file"), "\(result.stdout)")
        #expect(result.stdout.contains("rejected candidate of "))
        #expect(space.files("outbox/churn/rejected").isEmpty)
        #expect(try space.count("SELECT count(*) FROM models WHERE deleted_at IS NOT NULL AND decision = 'rejected'") == 1)
        #expect(space.files("archive/churn").count == 1)   // versions are not limited: drops stay
    }
}
