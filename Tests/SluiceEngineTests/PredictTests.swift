import Foundation
import SluiceArchive
import SluiceData
import SluiceSystem
import SluiceTestSupport
import Testing

/// `sluice predict` applies the archived transform and model exactly as the
/// pipeline did: on the run's holdout rows it reproduces the ledger's
/// accuracy and log loss to the last bit.
@Suite struct PredictTests {
    @Test(arguments: [
        "",
        "params: {impute: median, impute.charges: constant, fill_value.charges: -1, log: \"charges,sessions\", max_categories: 2, hash_columns: region, hash_buckets: 4}",
        "params: {impute: most_frequent, max_categories: 3}",
    ])
    func predictionsReproduceTheEvaluatedMetricsExactly(features: String) throws {
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: features
                    \(features)
                  - plugin: train
                  - plugin: evaluate
                    params: {holdout_scores: true}
            """)
        let csv = ChurnData.csv(rows: 1200, seed: 21)
        // Some missing values, so the fill values are exercised too.
        let withGaps = csv.replacingOccurrences(of: ",basic,north,", with: ",basic,,")
            .replacingOccurrences(of: ",1,0,", with: ",1,,")
        try space.drop("day.csv", withGaps)
        #expect(try space.serve().status == 0)
        if features.contains("hash_columns") {
            // The options took effect: the archived transform says so.
            let members = try ArchiveReader.members(of: space.root + "/outbox/churn/current.tar.gz")
            let transform = String(decoding: members.first { $0.name == "transform.json" }?.bytes ?? [], as: UTF8.self)
            let compact = transform.filter { !$0.isWhitespace }
            #expect(compact.contains("\"format\":\"sluice.transform/2\""))
            #expect(compact.contains("\"buckets\":4,\"column\":\"region\""))
            #expect(compact.contains("\"column\":\"charges\",\"fill\":-1,\"impute\":\"constant\",\"log\":true"))
            #expect(compact.contains("\"column\":\"plan\",\"other\":true"))
            #expect(compact.contains("\"impute\":\"median\""))
        }
        let input = try space.directory.write("score/day.csv", withGaps)
        let result = try Command.sluice(["predict", "--model", space.root + "/outbox/churn/current.tar.gz", input,
                                         "--output", space.root + "/score/out.csv"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stderr.contains("scored 1200 rows of day.csv with churn v1"))
        let lines = try FileSystem.readText(space.root + "/score/out.csv").split(separator: "\n")
        #expect(lines.first == "row,p_yes,predicted")
        #expect(lines.count == 1201)
        let probabilities = lines.dropFirst().map { Double($0.split(separator: ",")[1])! }

        // The host's split, recomputed: same seed, same strata.
        let table = try CSVReader.read(Array(withGaps.utf8), file: "day.csv")
        let roles = HoldoutSplit.roles(strata: HoldoutSplit.strata(for: table, target: "churned"), fraction: 0.2, seed: 42)
        guard case .categorical(let target)? = table["churned"]?.values else { Issue.record("no target"); return }
        var correct = 0, count = 0, loss = 0.0
        for row in 0..<table.rowCount where roles[row] == 1 {
            let positive = target.value(at: row) == "yes"
            let p = probabilities[row]
            if (p >= 0.5) == positive { correct += 1 }
            let clipped = min(max(p, 1e-15), 1 - 1e-15)
            loss -= positive ? log(clipped) : log(1 - clipped)
            count += 1
        }
        // The evaluate stage scored each holdout row to the same bits as predict.
        let members = try ArchiveReader.members(of: space.root + "/outbox/churn/current.tar.gz")
        let evaluated = String(decoding: members.first { $0.name == "holdout_scores.csv" }?.bytes ?? [], as: UTF8.self)
            .split(separator: "\n")
        #expect(evaluated.first == "row,p_yes")
        #expect(evaluated.count - 1 == count)
        for line in evaluated.dropFirst() {
            let fields = line.split(separator: ",")
            let row = Int(fields[0])! - 1
            #expect(Double(fields[1])!.bitPattern == probabilities[row].bitPattern, "row \(row + 1)")
            #expect(roles[row] == 1)
        }
        let accuracy = try space.double("SELECT value FROM metrics WHERE name = 'accuracy'")
        let logloss = try space.double("SELECT value FROM metrics WHERE name = 'logloss'")
        #expect(Double(correct) / Double(count) == accuracy)
        #expect(loss / Double(count) == logloss)
    }

    @Test func aMissingColumnAndABadArchiveAreNamed() throws {
        let space = try Workspace()
        try space.drop("day.csv", ChurnData.csv(rows: 300, seed: 22))
        #expect(try space.serve().status == 0)
        let archive = space.root + "/outbox/churn/current.tar.gz"
        let partial = try space.directory.write("partial.csv", "tenure,charges\n1,2\n")
        let missing = try Command.sluice(["predict", "--model", archive, partial])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("input lacks 4 columns the model needs: 'calls' (numeric), 'sessions' (numeric), "
                                        + "'plan' (categorical), 'region' (categorical)"), "\(missing.stderr)")
        let nearly = try space.directory.write("nearly.csv", "tenure,charges,sessions,plan,region\n1,2,3,basic,north\n")
        let one = try Command.sluice(["predict", "--model", archive, nearly])
        #expect(one.status == 1)
        #expect(one.stderr.contains("input has no column 'calls', which the model needs (numeric)"), "\(one.stderr)")
        let notArchive = try space.directory.write("fake.tar.gz", "nope")
        let bad = try Command.sluice(["predict", "--model", notArchive, partial])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("fake.tar.gz: not a readable model archive"))
    }
}
