import Foundation
import GRDB
import SluiceArchive
import SluiceSystem
import SluiceTestSupport
import Testing

/// The one-shot path end to end: the real binary, real plugins, a real
/// SQLite ledger, a real tar.gz in the outbox.
@Suite struct EndToEndTests {
    @Test func aDropBecomesAPublishedArchiveWithAFullLedger() throws {
        let space = try Workspace()
        try space.drop("day1.csv", ChurnData.csv(rows: 1500, seed: 1))
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        // What a user sees: claim, each stage with a duration, decision, archive path.
        #expect(run.stderr.contains("claimed day1.csv"))
        for stage in ["ingest", "validate", "features", "train", "evaluate"] {
            #expect(run.stderr.contains("stage \(stage)"), "no line for stage \(stage)")
        }
        #expect(run.stderr.contains("decision   approved: auc"))
        #expect(run.stderr.contains("published  outbox/churn/churn-v1.tar.gz"))

        // The archive exists, `tar` can list it, `current` points at it.
        let archive = space.root + "/outbox/churn/churn-v1.tar.gz"
        #expect(FileSystem.isRegularFile(archive))
        #expect(FileSystem.symlinkTarget(space.root + "/outbox/churn/current.tar.gz") == "churn-v1.tar.gz")
        let listing = try Command.run("/bin/tar", ["-tzf", archive])
        #expect(listing.status == 0)
        for member in ["manifest.json", "model.json", "transform.json", "metrics.json", "schema.json", "MODEL_CARD.md"] {
            #expect(listing.stdout.split(separator: "\n").contains(Substring(member)), "archive lacks \(member)")
        }
        #expect(space.files("outbox/churn").allSatisfy { !$0.hasSuffix(".tmp") })

        // The manifest's hashes match the files, and name the drop and plugins.
        let members = try ArchiveReader.members(of: archive)
        let manifestBytes = try #require(members.first { $0.name == "manifest.json" }).bytes
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(manifestBytes)) as? [String: Any])
        let files = try #require(manifest["files"] as? [String: String])
        #expect(files.count == members.count - 1)
        for member in members where member.name != "manifest.json" {
            #expect(files[member.name] == ContentHash.sha256(member.bytes), "hash of \(member.name)")
        }
        let drop = try #require(manifest["drop"] as? [String: Any])
        let archivedDrop = space.files("archive/churn")
        #expect(archivedDrop == ["\(drop["sha256"] as! String).csv"])
        let plugins = try #require(manifest["plugins"] as? [[String: Any]])
        #expect(plugins.map { $0["name"] as? String } == ["validate", "features", "train", "evaluate"])
        for plugin in plugins {
            let file = BuildProducts.directory + "/" + (plugin["file"] as! String)
            #expect(plugin["sha256"] as? String == (try ContentHash.sha256(file: file)))
        }
        #expect(manifest["seed"] as? Int == 42)

        // Ledger rows for drop, run, every stage, metrics, model, promotion.
        #expect(try space.count("SELECT count(*) FROM drops WHERE outcome = 'archived' AND rows = 1500") == 1)
        #expect(try space.count("SELECT count(*) FROM runs WHERE status = 'approved'") == 1)
        #expect(try space.strings("SELECT stage FROM stage_runs WHERE status = 'succeeded' ORDER BY position")
                == ["ingest", "validate", "features", "train", "evaluate"])
        #expect(try space.count("SELECT count(*) FROM stage_runs WHERE duration_ms IS NULL") == 0)
        #expect(try space.count("SELECT count(*) FROM metrics WHERE name IN ('auc', 'accuracy', 'logloss')") == 3)
        #expect(try space.count("SELECT count(*) FROM models WHERE version = 1 AND decision = 'approved' AND archive_sha256 = ?",
                                [try ContentHash.sha256(file: archive)]) == 1)
        #expect(try space.strings("SELECT version FROM current_models") == ["1"])
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'model.published'") == 1)
        #expect(try space.strings("SELECT journal_mode FROM pragma_journal_mode") == ["wal"])
        // Every promotion rule, with its measured value, threshold and outcome.
        #expect(try space.strings("SELECT metric || ' ' || bound || ' ' || threshold || ' ' || passed FROM gate_rules")
                == ["auc min 0.6 1", "champion first_run 0.0 1"])
        #expect(try space.count("SELECT count(*) FROM gate_rules g JOIN metrics m ON m.run_id = g.run_id AND m.name = g.metric WHERE g.measured = m.value") == 1)
        #expect(listing.stdout.contains("gate.json") && listing.stdout.contains("evaluation.json"))

        // The report shows it.
        let report = try space.report()
        #expect(report.status == 0)
        #expect(report.stdout.contains("current model: v1"))
        #expect(report.stdout.contains("v1 *"))
        #expect(report.stdout.contains("gate of v1 (approved)"))
        #expect(report.stdout.range(of: #"pass  auc 0\.\d+ ≥ min 0\.6"#, options: .regularExpression) != nil)
        #expect(report.stdout.split(separator: "\n").filter { !$0.hasPrefix("ledger: ") }.allSatisfy { $0.count <= 80 })
        let json = try space.report(["--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((parsed?["pipelines"] as? [[String: Any]])?.first?["name"] as? String == "churn")
    }

    @Test func aSecondDropBecomesVersionTwo() throws {
        let space = try Workspace()
        try space.drop("a.csv", ChurnData.csv(rows: 800, seed: 2))
        #expect(try space.serve().status == 0)
        try space.drop("b.csv", ChurnData.csv(rows: 800, seed: 3))
        #expect(try space.serve().status == 0)
        #expect(space.files("outbox/churn").sorted() == ["churn-v1.tar.gz", "churn-v2.tar.gz", "current.tar.gz"])
        #expect(FileSystem.symlinkTarget(space.root + "/outbox/churn/current.tar.gz") == "churn-v2.tar.gz")
        #expect(try space.strings("SELECT version FROM current_models") == ["2"])
        #expect(space.files("inbox/churn").isEmpty)
        #expect(space.files("work").isEmpty)
    }

    @Test func aDropFailingValidationIsQuarantinedWithColumnAndRow() throws {
        let space = try Workspace()
        var text = ChurnData.csv(rows: 300, seed: 4)
        // Row 57 (line 58): a typo in the numeric `charges` column.
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[57].split(separator: ",").map(String.init)
        fields[1] = "12,5x".replacingOccurrences(of: ",", with: "")
        lines[57] = fields.joined(separator: ",")
        text = lines.joined(separator: "\n")
        try space.drop("typo.csv", text)
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        let quarantined = space.files("quarantine/churn")
        #expect(quarantined.count == 2)
        let reasonFile = try #require(quarantined.first { $0.hasSuffix(".reason") })
        let reason = try FileSystem.readText(space.root + "/quarantine/churn/" + reasonFile)
        #expect(reason.contains("column 'charges' (column 2), row 57 (line 58): '125x' is not a number"))
        #expect(space.files("outbox/churn").isEmpty)   // no model was trained: nothing to keep
        #expect(space.files("archive/churn").isEmpty)
        #expect(try space.count("SELECT count(*) FROM drops WHERE outcome = 'quarantined' AND outcome_reason LIKE '%''125x'' is not a number%'") == 1)
        #expect(try space.strings("SELECT status FROM stage_runs ORDER BY position")
                == ["succeeded", "succeeded", "skipped", "skipped", "skipped"])
        #expect(try space.count("SELECT count(*) FROM models") == 0)
    }

    @Test func aModelFailingAPromotionRuleIsNotPublished() throws {
        let space = try Workspace(promotion: "min: {auc: 0.999}\n      max: {logloss: 0.01}")
        try space.drop("day.csv", ChurnData.csv(rows: 600, seed: 5))
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        // Nothing published; the rejected candidate is kept apart, never current.
        #expect(space.files("outbox/churn") == ["rejected"])
        #expect(space.files("outbox/churn/rejected").count == 1)
        #expect(space.files("archive/churn").count == 1)   // the data was fine: archived, not quarantined
        let reasons = try space.strings("SELECT reasons FROM models WHERE decision = 'rejected' AND version IS NULL")
        #expect(reasons.count == 1)
        let text = reasons.first ?? ""
        #expect(text.contains("< min 0.999"))          // the failing auc rule with its measured value
        #expect(text.contains("> max 0.01"))           // and the failing logloss rule: every one is listed
        #expect(text.range(of: #"auc 0\.\d+ < min 0\.999"#, options: .regularExpression) != nil)
        #expect(try space.count("SELECT count(*) FROM runs WHERE status = 'rejected'") == 1)
        // The ledger lists each rule with the measured value; both failed.
        #expect(try space.strings("SELECT metric || ':' || bound || ':' || passed FROM gate_rules ORDER BY id")
                == ["auc:min:0", "logloss:max:0", "champion:first_run:1"])
        #expect(try space.count("SELECT count(*) FROM gate_rules WHERE measured IS NOT NULL AND threshold IN (0.999, 0.01)") == 2)
        #expect(try space.report().stdout.contains("FAIL  auc"))
        #expect(try space.count("SELECT count(*) FROM current_models") == 0)
        #expect(try space.report().stdout.contains("current model: none yet"))
    }

    @Test func aRuleOnAnUnmeasuredMetricRejectsAndSaysWhy() throws {
        let space = try Workspace(promotion: "min: {f2: 0.5, auc: 0.5}")
        try space.drop("day.csv", ChurnData.csv(rows: 400, seed: 10))
        #expect(try space.serve().status == 0)
        // Nothing published; the rejected candidate is kept apart, never current.
        #expect(space.files("outbox/churn") == ["rejected"])
        #expect(space.files("outbox/churn/rejected").count == 1)
        let reason = try space.strings("SELECT reasons FROM models").first ?? ""
        #expect(reason.contains("f2 is not measured by evaluate (it measures: accuracy, auc, logloss, balanced_accuracy, precision, recall, f1, brier)"))
        #expect(!reason.contains("auc 0."))   // passing rules are not listed in a rejection
        #expect(try space.strings("SELECT metric || ':' || coalesce(measured, 'null') || ':' || passed FROM gate_rules WHERE metric = 'f2'")
                == ["f2:null:0"])
        #expect(try space.count("SELECT passed FROM gate_rules WHERE metric = 'auc'") == 1)
    }

    @Test func aRaggedRowIsQuarantinedByIngestWithItsLine() throws {
        let space = try Workspace()
        try space.drop("ragged.csv", ChurnData.header + "\n1,2,3,4,basic,north,yes\n5,6,7\n")
        #expect(try space.serve().status == 0)
        let reason = try space.strings("SELECT outcome_reason FROM drops").first ?? ""
        #expect(reason == "ingest: ragged.csv:3: expected 7 fields as in the header, found 3 fields")
        #expect(try space.strings("SELECT stage || ':' || status FROM stage_runs ORDER BY position").first == "ingest:failed")
    }

    @Test func aCPluginRunsNextToTheSwiftOnes() throws {
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: row-audit
                    params: {max_missing_share: 0.5}
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
            """)
        try space.drop("day.csv", ChurnData.csv(rows: 500, seed: 6))
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stderr.contains("row-audit: 500 rows, 7 columns"))
        #expect(try space.count("""
            SELECT count(*) FROM metrics m JOIN stage_runs s ON s.id = m.stage_run_id
            WHERE s.plugin_name = 'row-audit' AND m.name = 'rows' AND m.value = 500
            """) == 1)
        #expect(FileSystem.isRegularFile(space.root + "/outbox/churn/churn-v1.tar.gz"))
    }

    @Test func aFailingPluginQuarantinesOnlyItsDrop() throws {
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: fixture-misbehave
                    name: misbehave
                    params: {mode: fail}
                  - plugin: features
            """)
        try space.drop("day.csv", ChurnData.csv(rows: 200, seed: 7))
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        let reason = try space.strings("SELECT outcome_reason FROM drops").first ?? ""
        #expect(reason == "stage misbehave (plugin misbehave 0.0.1) failed: misbehave: failing on purpose")
        #expect(space.files("quarantine/churn").count == 2)
    }

    @Test func sameDataConfigPluginsAndSeedGiveTheSameModelBytes() throws {
        let csv = ChurnData.csv(rows: 1000, seed: 8)
        var models: [[UInt8]] = []
        for _ in 0..<2 {
            let space = try Workspace()
            try space.drop("day.csv", csv)
            #expect(try space.serve().status == 0)
            let members = try ArchiveReader.members(of: space.root + "/outbox/churn/churn-v1.tar.gz")
            models.append(try #require(members.first { $0.name == "model.json" }).bytes)
        }
        #expect(models[0] == models[1])
        #expect(!models[0].isEmpty)
    }

    @Test func hiddenAndPartialFilesAreLeftAlone() throws {
        let space = try Workspace()
        try space.drop(".hidden.csv", ChurnData.csv(rows: 100, seed: 9))
        try space.drop("upload.csv.part", ChurnData.csv(rows: 100, seed: 9))
        try space.drop("upload.csv.tmp", ChurnData.csv(rows: 100, seed: 9))
        #expect(try space.serve().status == 0)
        #expect(space.files("inbox/churn").sorted() == ["upload.csv.part", "upload.csv.tmp"])
        #expect(try space.count("SELECT count(*) FROM drops") == 0)
    }
}
