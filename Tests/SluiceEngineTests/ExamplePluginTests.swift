import Foundation
import SluiceArchive
import SluiceData
import SluiceSystem
import SluiceTestSupport
import Testing

/// The two example plugins in real pipelines: clip-outliers (Swift, with an
/// `apply` entry that `sluice predict` and the champion re-score call) and
/// drop-duplicates (C, removing rows through `keep_rows`).
@Suite struct ExamplePluginTests {
    static let clipStages = """
              - plugin: validate
              - plugin: clip-outliers
                params: {lower: 0.05, upper: 0.95, columns: "charges,sessions"}
              - plugin: features
              - plugin: train
              - plugin: evaluate
                params: {holdout_scores: true}
        """

    /// The limits the run fitted, from the archive.
    func limits(_ archive: String, _ column: String) throws -> (Float, Float) {
        let members = try ArchiveReader.members(of: archive)
        let bytes = try #require(members.first { $0.name == "clip-outliers.json" }?.bytes)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(json["format"] as? String == "sluice.clip-outliers/1")
        let columns = try #require(json["columns"] as? [String: [String: Double]])
        let bounds = try #require(columns[column])
        return (Float(bounds["low"]!), Float(bounds["high"]!))
    }

    func predict(_ space: Workspace, _ csv: String, extra: [String] = [], environment: [String: String] = [:]) throws
        -> (CommandResult, [Double]) {
        let input = try space.directory.write("score/new.csv", csv)
        let result = try Command.sluice(["predict", "--model", space.root + "/outbox/churn/current.tar.gz", input] + extra,
                                        environment: environment)
        let p = result.stdout.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[1]) ?? .nan }
        return (result, p)
    }

    @Test func clipOutliersIsReappliedWhereverTheModelScores() throws {
        let space = try Workspace(stages: Self.clipStages)
        try space.drop("day.csv", ChurnData.csv(rows: 1200, seed: 31))
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        let archive = space.root + "/outbox/churn/current.tar.gz"
        let members = try ArchiveReader.members(of: archive)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(members.first { $0.name == "manifest.json" }!.bytes))
                                    as? [String: Any])
        let plugins = try #require(manifest["plugins"] as? [[String: Any]])
        #expect(plugins.first { $0["name"] as? String == "clip-outliers" }?["applies"] as? Bool == true)
        #expect(plugins.first { $0["name"] as? String == "features" }?["applies"] == nil)
        #expect(try space.double("SELECT value FROM metrics WHERE name = 'clipped.charges'") ?? 0 > 0)

        // New rows beyond the fitted limits score exactly as rows at the limits.
        let (low, high) = try limits(archive, "charges")
        #expect(low < high)
        let csv = ChurnData.header + "\n"
            + "12,\(high),2,5,basic,north,no\n" + "12,1000000,2,5,basic,north,no\n"
            + "12,\(low),2,5,basic,north,no\n" + "12,-1000,2,5,basic,north,no\n"
            + "12,\((low + high) / 2),2,5,basic,north,no\n"
        let (result, p) = try predict(space, csv)
        #expect(result.status == 0, "\(result.output)")
        #expect(p.count == 5)
        #expect(p[0].bitPattern == p[1].bitPattern, "\(p)")
        #expect(p[2].bitPattern == p[3].bitPattern, "\(p)")
        #expect(p[4] != p[0] && p[4] != p[2], "\(p)")

        // On the training drop, predict gives each holdout row the bits evaluate gave it.
        let (again, all) = try predict(space, ChurnData.csv(rows: 1200, seed: 31))
        #expect(again.status == 0, "\(again.output)")
        let evaluated = String(decoding: members.first { $0.name == "holdout_scores.csv" }?.bytes ?? [], as: UTF8.self)
            .split(separator: "\n").dropFirst()
        #expect(evaluated.count > 100)
        for line in evaluated {
            let fields = line.split(separator: ",")
            #expect(Double(fields[1])!.bitPattern == all[Int(fields[0])! - 1].bitPattern, "row \(fields[0])")
        }

        // The champion re-score before the gate applies it too: a second drop compares with v1.
        try space.drop("day2.csv", ChurnData.csv(rows: 1200, seed: 32))
        let second = try space.serve()
        #expect(second.status == 0, "\(second.output)")
        #expect(second.stderr.contains("champion v1 re-scored on this drop's"), "\(second.stderr)")
    }

    @Test func aModelRefusesAPluginFileWithOtherBytes() throws {
        let space = try Workspace(stages: Self.clipStages)
        let own = space.root + "/plugins"
        try FileSystem.createDirectory(own)
        try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.plugin("sluice-clip-outliers")),
                                       to: own + "/clip-outliers.so", mode: 0o755)
        let config = try FileSystem.readText(space.config)
        try space.writeConfig(config.replacingOccurrences(of: "plugin_path: [", with: "plugin_path: [\(own), "))
        try space.drop("day.csv", ChurnData.csv(rows: 800, seed: 33))
        #expect(try space.serve().status == 0)
        let csv = ChurnData.header + "\n12,50,2,5,basic,north,no\n"
        #expect(try predict(space, csv, extra: ["--plugin-path", own]).0.status == 0)
        // Without the folder, the recorded file is nowhere on the search path.
        let missing = try predict(space, csv).0
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no clip-outliers.so with SHA-256"), "\(missing.stderr)")
        // Same name, other bytes: refused, never run on the data.
        try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.plugin("sluice-row-audit")),
                                       to: own + "/clip-outliers.so", mode: 0o755)
        let swapped = try predict(space, csv, extra: ["--plugin-path", own]).0
        #expect(swapped.status != 0)
        #expect(swapped.stderr.contains("but the model was made by the file with SHA-256"), "\(swapped.stderr)")
        #expect(swapped.stderr.contains("stage clip-outliers (plugin clip-outliers 1.0.0, clip-outliers.so)"), "\(swapped.stderr)")
    }

    @Test func dropDuplicatesRemovesRepeatedRowsAndKeepsTheRolesAndChampionAligned() throws {
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: drop-duplicates
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
            """, promotion: "min: {auc: 0.5}\n      champion: {metric: auc, min_relative_improvement: -1}")
        // 600 distinct rows, then 150 of them again.
        func repeated(_ seed: UInt64) -> String {
            let csv = ChurnData.csv(rows: 600, seed: seed)
            let rows = csv.split(separator: "\n").dropFirst()
            return csv + rows.prefix(150).joined(separator: "\n") + "\n"
        }
        try space.drop("day.csv", repeated(34))
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        #expect(try space.double("SELECT value FROM metrics WHERE name = 'duplicates_removed'") == 150)
        #expect(try space.double("SELECT value FROM metrics WHERE name = 'rows_kept'") == 600)
        #expect(run.stderr.contains("removed 150 duplicate rows"), "\(run.stderr)")
        #expect(run.stderr.contains("the first: line 602 repeats line 2"), "\(run.stderr)")
        #expect(FileSystem.isRegularFile(space.root + "/outbox/churn/churn-v1.tar.gz"))

        // With a champion, its scores (one per raw row) shrink with the table:
        // the comparison runs on the same rows as the candidate's.
        try space.drop("day2.csv", repeated(35))
        let second = try space.serve()
        #expect(second.status == 0, "\(second.output)")
        #expect(try space.count("SELECT count(*) FROM gate_rules WHERE bound = 'champion'") == 1, "\(second.stderr)")
        #expect(FileSystem.isRegularFile(space.root + "/outbox/churn/churn-v2.tar.gz"), "\(second.stderr)")
    }
}
