import Foundation
import GRDB
import SluiceArchive
import SluiceSystem
import SluiceTestSupport
import Testing

/// The outbox as a registry: who served when, rollback and its refusals,
/// with real processes, archives and the ledger.
@Suite struct RegistryTests {
    struct Interval: Decodable {
        let version: Int
        let fromVersion: Int?
        let action: String
        let by: String
        let reason: String
        let since: String
        let until: String?
    }

    struct Entry: Decodable { let interval: Interval }

    func sluice(_ space: Workspace, _ arguments: [String]) throws -> CommandResult {
        try Command.sluice(arguments + ["--config", space.config], in: space.root)
    }

    func history(_ space: Workspace, _ extra: [String] = []) throws -> [Interval] {
        let result = try sluice(space, ["history", "churn", "--format", "json"] + extra)
        #expect(result.status == 0, "\(result.output)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Entry].self, from: Data(result.stdout.utf8)).map(\.interval)
    }

    func current(_ space: Workspace) -> String? { FileSystem.symlinkTarget(space.root + "/outbox/churn/current.tar.gz") }

    func publish(_ space: Workspace, count: Int, seed: UInt64) throws {
        for index in 0..<count {
            try space.drop("day\(seed)-\(index).csv", ChurnData.csv(rows: 400, seed: seed + UInt64(index)))
            #expect(try space.serve().status == 0)
        }
    }

    @Test func historyAndTheChampionAtAnyTimeFollowApprovalsAndRollbacks() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}", extra: "metrics_file: metrics/sluice.prom")
        try publish(space, count: 3, seed: 200)
        let approved = try history(space)
        #expect(approved.map(\.version) == [1, 2, 3])
        #expect(approved.map(\.action) == ["approve", "approve", "approve"])
        #expect(approved.map(\.fromVersion) == [nil, 1, 2])
        #expect(approved.map(\.by) == ["sluice", "sluice", "sluice"])
        #expect(approved[0].until == approved[1].since && approved[1].until == approved[2].since && approved[2].until == nil)

        let back = try sluice(space, ["rollback", "churn", "--reason", "v3 over-predicts", "--by", "tester"])
        #expect(back.status == 0, "\(back.output)")
        #expect(back.stdout.contains("churn: v3 → v2 (rollback by tester"))
        #expect(current(space) == "churn-v2.tar.gz")
        #expect(try space.strings("SELECT version FROM current_models") == ["2"])
        #expect(try sluice(space, ["rollback", "churn", "--reason", "v2 too", "--by", "tester"]).status == 0)
        #expect(current(space) == "churn-v1.tar.gz")
        #expect(try sluice(space, ["rollback", "churn", "--to", "3", "--reason", "fixed upstream", "--by", "tester"]).status == 0)
        #expect(current(space) == "churn-v3.tar.gz")

        let all = try history(space)
        #expect(all.map(\.version) == [1, 2, 3, 2, 1, 3])
        #expect(all.suffix(3).map(\.action) == ["rollback", "rollback", "rollback"])
        #expect(all.suffix(3).map(\.fromVersion) == [3, 2, 1])
        #expect(all[3].reason == "v3 over-predicts" && all[3].by == "tester")
        // The champion at any instant: each change's own time, and before the first.
        for interval in all {
            #expect(try history(space, ["--at", interval.since]).map(\.version) == [interval.version], "\(interval.since)")
        }
        let before = try sluice(space, ["history", "churn", "--at", "2000-01-01"])
        #expect(before.status == 1)
        #expect(before.stderr.contains("churn had no model in service at 2000-01-01T00:00:00.000Z; its first model was put in service at \(all[0].since)"))
        let text = try sluice(space, ["history", "churn"])
        #expect(text.stdout.contains("6 changes of the model in service"))
        #expect(text.stdout.contains("v2  \(all[3].since) → \(all[4].since)  rollback by tester (was v3) auc "))
        #expect(text.stdout.contains("in service  rollback by tester (was v1)"))
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'model.rolled_back'") == 3)
        let metrics = try FileSystem.readText(space.root + "/metrics/sluice.prom")
        #expect(metrics.contains("sluice_model_version{pipeline=\"churn\"} 3"))
    }

    @Test func eachRefusedRollbackSaysWhyAndChangesNothing() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.drop("none.txt.part", "")   // the ledger exists, nothing is served yet
        #expect(try space.serve().status == 0)
        func refused(_ arguments: [String], _ message: String) throws {
            let result = try sluice(space, ["rollback"] + arguments + ["--reason", "test"])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("rollback refused: \(message)"), "\(result.stderr)")
        }
        try refused(["churn"], "churn has no model in service yet; there is nothing to roll back")
        try publish(space, count: 2, seed: 300)
        let changes = try space.count("SELECT count(*) FROM champion_changes")
        try refused(["nope"], "no pipeline named 'nope'")
        try refused(["churn", "--to", "9"], "churn has no v9 (versions go up to v2)")
        try refused(["churn", "--to", "2"], "churn v2 is already the model in service")

        let v1 = space.root + "/outbox/churn/churn-v1.tar.gz"
        let original = try FileSystem.read(v1)
        try FileSystem.writeAtomically(original + [0], to: v1)
        try refused(["churn"], "churn v1 cannot be put back in service: its archive does not verify:")
        let altered = try sluice(space, ["rollback", "churn", "--reason", "test"])
        #expect(altered.stderr.contains("differs from the ledger's"), "\(altered.stderr)")
        try FileSystem.remove(v1)
        try refused(["churn"], "churn v1 cannot be put back in service: its archive does not verify:\n  \(v1): no such archive")
        try FileSystem.writeAtomically(original, to: v1)

        #expect(try space.count("SELECT count(*) FROM champion_changes") == changes)
        #expect(current(space) == "churn-v2.tar.gz")
        #expect(try sluice(space, ["rollback", "churn", "--reason", "restored archive"]).status == 0)
        try refused(["churn"], "churn v1 is the first model it served; there is no earlier champion to roll back to")
    }

    @Test func aRolledBackChampionIsWhatTheNextGateComparesAgainst() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}\n      champion: {metric: auc, min_improvement: -1}")
        try publish(space, count: 2, seed: 400)
        #expect(try space.strings("SELECT version FROM current_models") == ["2"])
        #expect(try sluice(space, ["rollback", "churn", "--reason", "v2 is wrong"]).status == 0)
        try space.drop("after.csv", ChurnData.csv(rows: 400, seed: 450))
        let run = try space.serve()
        #expect(run.status == 0)
        #expect(run.stderr.contains("champion v1 re-scored on this drop's"), "\(run.stderr)")
        let rule = try space.strings("SELECT text FROM gate_rules WHERE bound = 'champion' ORDER BY id").last ?? ""
        #expect(rule.contains("vs champion v1"), "\(rule)")
        #expect(try space.strings("SELECT version FROM current_models") == ["3"])
        #expect(try history(space).map(\.fromVersion) == [nil, 1, 2, 1])
    }

    @Test func aVersionThatWasNeverPublishedCannotBeServed() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try publish(space, count: 1, seed: 500)
        // Crash right after v2 is reserved; the daemon's recovery abandons v2 and re-runs the drop as v3.
        try space.drop("crash.csv", ChurnData.csv(rows: 400, seed: 501))
        #expect(try space.serve(environment: ["SLUICE_TEST_CRASH_AT": "publish.reserved"]).status == 86)
        let daemon = try space.startDaemon()
        #expect(eventually { (try? space.strings("SELECT version FROM current_models")) == ["3"] }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        let result = try sluice(space, ["rollback", "churn", "--to", "2", "--reason", "test"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("rollback refused: churn v2 was never approved and published (abandoned)"), "\(result.stderr)")
    }

    /// A daemon publishing while rollbacks run: every change is recorded in
    /// order (each starts from the one before it) and `current` always ends
    /// on the ledger's champion.
    @Test func rollbacksWhileTheDaemonPublishesLeaveTheLedgerAndCurrentInStep() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try publish(space, count: 2, seed: 600)
        let daemon = try space.startDaemon()
        for index in 0..<6 { try space.drop("live\(index).csv", ChurnData.csv(rows: 400, seed: 610 + UInt64(index))) }
        var rolledBack = 0
        let deadline = Date().addingTimeInterval(120)
        while (try? space.count("SELECT count(*) FROM drops WHERE outcome != 'claimed'")) ?? 0 < 8, Date() < deadline {
            if try sluice(space, ["rollback", "churn", "--reason", "concurrent"]).status == 0 { rolledBack += 1 }
        }
        #expect(daemon.stop() == 0)
        #expect(rolledBack > 0)
        let changes = try space.ledger().read { db in
            try Row.fetchAll(db, sql: "SELECT from_model_id, to_model_id FROM champion_changes WHERE pipeline = 'churn' ORDER BY id")
        }
        for (previous, next) in zip(changes, changes.dropFirst()) {
            #expect(next["from_model_id"] as Int64? == previous["to_model_id"] as Int64?)
        }
        let champion = try space.strings("SELECT archive_path FROM current_models").first.map(FileSystem.baseName)
        #expect(current(space) == champion)
    }
}

/// Rejected candidates are kept, and one can be served on purpose.
@Suite struct ForcedPromotionTests {
    @Test func aRejectedCandidateIsPackagedAndCanBeForcePromotedOnPurpose() throws {
        let space = try Workspace(promotion: "min: {auc: 0.999}")
        try space.drop("first.csv", ChurnData.csv(rows: 400, seed: 700))
        #expect(try space.serve().status == 0)
        let key = try #require(try space.strings("SELECT run_key FROM runs").first)
        #expect(space.files("outbox/churn") == ["rejected"])
        #expect(space.files("outbox/churn/rejected") == ["\(key).tar.gz"])
        #expect(try space.strings("SELECT archive_path FROM models WHERE decision = 'rejected'")
                == [space.root + "/outbox/churn/rejected/\(key).tar.gz"])

        let unforced = try Command.sluice(["promote", "churn", "--run", key, "--reason", "x", "--config", space.config])
        #expect(unforced.status != 0)
        #expect(unforced.stderr.contains("promoting a rejected model needs --force"))
        let promoted = try Command.sluice(["promote", "churn", "--run", key, "--force", "--reason", "schema changed",
                                           "--by", "carol", "--config", space.config])
        #expect(promoted.status == 0, "\(promoted.output)")
        #expect(promoted.stdout.contains("churn: v- → v1 (force-promote by carol"))
        #expect(FileSystem.symlinkTarget(space.root + "/outbox/churn/current.tar.gz") == "churn-v1.tar.gz")
        let change = try #require(try space.ledger().read { db in
            try Row.fetchOne(db, sql: "SELECT action, by_name, reason FROM champion_changes")
        })
        #expect(change["action"] as String == "force-promote" && change["by_name"] as String == "carol")
        #expect((change["reason"] as String).contains("forced by carol: schema changed (failed: auc "))
        let members = try ArchiveReader.members(of: space.root + "/outbox/churn/churn-v1.tar.gz")
        let manifest = String(decoding: members.first { $0.name == "manifest.json" }?.bytes ?? [], as: UTF8.self)
        #expect(manifest.contains("\"decision\" : \"force-promoted\""))
        #expect(manifest.contains("\"version\" : 1"))
        let card = String(decoding: members.first { $0.name == "MODEL_CARD.md" }?.bytes ?? [], as: UTF8.self)
        #expect(card.hasPrefix("# churn v1") && card.contains("forced by carol"))

        let again = try Command.sluice(["promote", "churn", "--run", key, "--force", "--reason", "x", "--config", space.config])
        #expect(again.status == 1)
        #expect(again.stderr.contains("promotion refused: run \(key)'s model is already v1"))

        // A candidate archive changed after it was packaged is refused, and nothing changes.
        try space.drop("second.csv", ChurnData.csv(rows: 400, seed: 701))
        #expect(try space.serve().status == 0)
        let second = try #require(try space.strings("SELECT run_key FROM runs ORDER BY id").last)
        let path = space.root + "/outbox/churn/rejected/\(second).tar.gz"
        try FileSystem.writeAtomically(try FileSystem.read(path).dropLast(1), to: path)
        let tampered = try Command.sluice(["promote", "churn", "--run", second, "--force", "--reason", "x",
                                           "--config", space.config])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("promotion refused: run \(second)'s candidate cannot be served: its archive does not verify"))
        #expect(try space.count("SELECT count(*) FROM champion_changes") == 1)
        let unknown = try Command.sluice(["promote", "churn", "--run", "nope", "--force", "--reason", "x", "--config", space.config])
        #expect(unknown.stderr.contains("churn has no run 'nope'"))
    }
}
