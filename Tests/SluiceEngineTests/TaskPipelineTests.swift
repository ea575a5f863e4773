import Foundation
import SluiceArchive
import SluiceData
import SluiceSystem
import SluiceTestSupport
import Testing

/// Multiclass and regression pipelines through the real binary, real plugins
/// and a real ledger: trained, gated (absolute rules and the champion on the
/// same holdout rows), published, and scored by `sluice predict` exactly as
/// evaluate scored them.
@Suite struct TaskPipelineTests {
    /// Seeded rows: x1, x2 numeric, `shape` categorical; `tier` a 3-class
    /// target (bronze / silver / gold) and `spend` a numeric target, both
    /// driven by the features plus noise.
    static func csv(rows: Int, seed: UInt64) -> String {
        var state = seed
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(UInt64(1) << 53)
        }
        var text = "x1,x2,shape,tier,spend\n"
        let shapes = ["round", "square", "oval"]
        for _ in 0..<rows {
            let x1 = uniform() * 10, x2 = uniform() * 4 - 2
            let shape = Int(uniform() * 3)
            let score = 0.6 * x1 - 1.5 * x2 + Double(shape) + (uniform() - 0.5) * 3
            let tier = score < 2.5 ? "bronze" : (score < 5 ? "silver" : "gold")
            let spend = 20 + 3 * x1 - 4 * x2 + 5 * Double(shape) + (uniform() - 0.5) * 2
            text += String(format: "%.4f,%.4f,%@,%@,%.3f\n", x1, x2, shapes[shape], tier, spend)
        }
        return text
    }

    /// The stock stages with `params` for train.
    static func stages(train params: String) -> String {
        """
                  - plugin: validate
                  - plugin: features
                  - plugin: train
                    params: {\(params)}
                  - plugin: evaluate
            """
    }

    func archiveMember(_ space: Workspace, _ name: String) throws -> String {
        let members = try ArchiveReader.members(of: space.root + "/outbox/churn/current.tar.gz")
        return String(decoding: members.first { $0.name == name }?.bytes ?? [], as: UTF8.self)
    }

    @Test func multiclassTrainsGatesOnTheChampionAndPredicts() throws {
        let space = try Workspace(stages: Workspace.stockStages, promotion: """
            min: {accuracy: 0.5}
                  champion: {metric: accuracy, min_improvement: -0.05}
            """, pipelineExtra: "    task: multiclass", target: "tier")
        let data = Self.csv(rows: 1500, seed: 3)
        try space.drop("a.csv", data)
        let first = try space.serve()
        #expect(first.status == 0, "\(first.output)")
        #expect((try space.double("SELECT COUNT(*) FROM models WHERE decision = 'approved'") ?? .nan) == 1, "\(first.output)")
        let model = try archiveMember(space, "model.json").filter { !$0.isWhitespace }
        #expect(model.contains("\"format\":\"sluice.model.linear/2\""))
        #expect(model.contains("\"link\":\"softmax\""))
        #expect(model.contains("\"classes\":[\"bronze\",\"gold\",\"silver\"]"))
        let evaluation = try archiveMember(space, "evaluation.json").filter { !$0.isWhitespace }
        #expect(evaluation.contains("\"confusion_matrix\":{\"counts\":[["))
        for metric in ["accuracy", "auc", "logloss", "f1", "balanced_accuracy", "recall.gold", "precision.bronze"] {
            #expect((try space.double("SELECT COUNT(*) FROM metrics WHERE name = '\(metric)'") ?? .nan) == 1, "metric \(metric)")
        }

        // A second drop: the champion (v1) is re-scored on the same holdout rows.
        try space.drop("b.csv", Self.csv(rows: 1500, seed: 4))
        let second = try space.serve()
        #expect(second.status == 0, "\(second.output)")
        let championAccuracy = (try space.double("SELECT value FROM metrics WHERE name = 'champion.accuracy'") ?? .nan)
        #expect(championAccuracy > 0.5)
        let rule = try space.strings("SELECT text FROM gate_rules WHERE bound = 'champion'").first ?? ""
        #expect(rule.contains("accuracy") && rule.contains("vs champion v1"), "\(rule)")

        // predict: one probability per class, the argmax class, and the ledger's accuracy to the bit.
        let input = try space.directory.write("score/b.csv", Self.csv(rows: 1500, seed: 4))
        let result = try Command.sluice(["predict", "--model", space.root + "/outbox/churn/current.tar.gz", input])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "row,p_bronze,p_gold,p_silver,predicted")
        let table = try CSVReader.read(Array(Self.csv(rows: 1500, seed: 4).utf8), file: "b.csv")
        let roles = HoldoutSplit.roles(strata: HoldoutSplit.strata(for: table, target: "tier"), fraction: 0.2, seed: 42)
        guard case .categorical(let tier)? = table["tier"]?.values else { Issue.record("no target"); return }
        var correct = 0, count = 0
        for (row, line) in lines.dropFirst().enumerated() where roles[row] == 1 {
            let fields = line.split(separator: ",")
            let p = fields[1...3].map { Double($0)! }
            #expect(abs(p.reduce(0, +) - 1) < 1e-12)
            if String(fields[4]) == tier.value(at: row) { correct += 1 }
            count += 1
        }
        // The model in service scored b.csv's holdout in the second run either
        // as the candidate (v2 published: `accuracy`) or as the champion
        // (v2 rejected, v1 kept: `champion.accuracy`); predict must match that to the bit.
        let secondRun = try space.count("SELECT max(id) FROM runs")
        let servedBySecond = try space.count("""
            SELECT count(*) FROM current_models c JOIN models m ON m.id = c.model_id WHERE m.run_id = ?
            """, [secondRun]) == 1
        let expected = try space.double("SELECT value FROM metrics WHERE run_id = ? AND name = ?",
                                        [secondRun, servedBySecond ? "accuracy" : "champion.accuracy"])
        #expect(expected != nil)
        #expect(Double(correct) / Double(count) == expected)
    }

    @Test(arguments: [
        ("alpha: 1.0", "cholesky", "l2"),
        ("alpha: 0.05, l1_ratio: 0.5", "cd", "elasticnet"),
        ("solver: adam, epochs: 100, learning_rate: 0.3, batch_size: 256", "adam", "l2"),
    ])
    func regressionTrainsWithEachSolverAndPredicts(params: String, solver: String, penalty: String) throws {
        let space = try Workspace(stages: Self.stages(train: params),
                                  promotion: "min: {r2: 0.9}\n      max: {rmse: 2.0}", pipelineExtra: "    task: regression", target: "spend")
        let data = Self.csv(rows: 2000, seed: 5).replacingOccurrences(of: ",bronze,", with: ",b,")
            .replacingOccurrences(of: ",silver,", with: ",s,").replacingOccurrences(of: ",gold,", with: ",g,")
        try space.drop("day.csv", data)
        let result = try space.serve()
        #expect(result.status == 0, "\(result.output)")
        #expect((try space.double("SELECT COUNT(*) FROM models WHERE decision = 'approved'") ?? .nan) == 1, "\(result.output)")
        let model = try archiveMember(space, "model.json").filter { !$0.isWhitespace }
        #expect(model.contains("\"link\":\"identity\"") && model.contains("\"solver\":\"\(solver)\"")
                && model.contains("\"penalty\":\"\(penalty)\""), "\(model)")
        let rmse = (try space.double("SELECT value FROM metrics WHERE name = 'rmse'") ?? .nan)
        let r2 = (try space.double("SELECT value FROM metrics WHERE name = 'r2'") ?? .nan)
        #expect(rmse < 1.5 && r2 > 0.95, "rmse \(rmse), r2 \(r2)")
        // The report shows a regression model by its error metrics.
        let report = try space.report()
        let header = report.stdout.split(separator: "\n").first { $0.contains("version") && $0.contains("decision") } ?? ""
        #expect(header.contains("rmse") && header.contains("mae") && header.contains("r2") && !header.contains("auc"),
                "\(report.stdout)")

        // predict reproduces the holdout RMSE.
        let input = try space.directory.write("score/day.csv", data)
        let scored = try Command.sluice(["predict", "--model", space.root + "/outbox/churn/current.tar.gz", input])
        #expect(scored.status == 0, "\(scored.output)")
        let lines = scored.stdout.split(separator: "\n")
        #expect(lines.first == "row,predicted")
        let table = try CSVReader.read(Array(data.utf8), file: "day.csv")
        let roles = HoldoutSplit.roles(strata: HoldoutSplit.strata(for: table, target: "spend"), fraction: 0.2, seed: 42)
        guard case .numeric(let spend)? = table["spend"]?.values else { Issue.record("no target"); return }
        var squares = 0.0, count = 0
        for (row, line) in lines.dropFirst().enumerated() where roles[row] == 1 {
            let error = Double(line.split(separator: ",")[1])! - Double(spend.values[row])
            squares += error * error
            count += 1
        }
        #expect(abs((squares / Double(count)).squareRoot() - rmse) <= 1e-12 * rmse)
    }

    /// Promise 5 for the new tasks and the minibatch solver: same data, config
    /// and seed in two separate state folders give byte-identical model.json.
    @Test func sameDataConfigAndSeedGiveAByteIdenticalModel() throws {
        var models: [String] = []
        for _ in 0..<2 {
            let space = try Workspace(stages: Self.stages(train: "solver: adam, epochs: 5, batch_size: 128, class_weight: balanced"),
                                      promotion: "min: {accuracy: 0.3}", pipelineExtra: "    task: multiclass", target: "tier")
            try space.drop("a.csv", Self.csv(rows: 800, seed: 8))
            #expect(try space.serve().status == 0)
            models.append(try archiveMember(space, "model.json"))
        }
        #expect(!models[0].isEmpty && models[0] == models[1])
        #expect(models[0].contains("\"solver\" : \"adam\"") && models[0].contains("\"class_weights\""))
    }

    func quarantineReason(_ space: Workspace) throws -> String {
        let name = try #require(space.files("quarantine/churn").first { $0.hasSuffix(".reason") }, "nothing quarantined")
        return try FileSystem.readText(space.root + "/quarantine/churn/" + name)
    }

    @Test func wrongParametersForTheTaskQuarantineWithTheReason() throws {
        let space = try Workspace(stages: Self.stages(train: "class_weight: balanced"),
                                  promotion: "max: {rmse: 2.0}", pipelineExtra: "    task: regression", target: "spend")
        try space.drop("day.csv", Self.csv(rows: 500, seed: 6))
        #expect(try space.serve().status == 0)
        let reason = try quarantineReason(space)
        #expect(reason.contains("class weights apply to classification tasks, not regression"), "\(reason)")
        // A text target for regression is a validation finding, named.
        let text = try Workspace(promotion: "max: {rmse: 2.0}", pipelineExtra: "    task: regression", target: "tier")
        try text.drop("day.csv", Self.csv(rows: 500, seed: 6))
        #expect(try text.serve().status == 0)
        let why = try quarantineReason(text)
        #expect(why.contains("target 'tier' holds text") && why.contains("task regression needs a numeric target"), "\(why)")
        // A misspelt parameter is named, with the one it resembles.
        let typo = try Workspace(stages: Self.stages(train: "alpah: 2"),
                                  promotion: "max: {rmse: 2.0}", pipelineExtra: "    task: regression", target: "spend")
        try typo.drop("day.csv", Self.csv(rows: 500, seed: 6))
        #expect(try typo.serve().status == 0)
        let typoReason = try quarantineReason(typo)
        #expect(typoReason.contains("unknown parameter 'alpah' (did you mean 'alpha'?)"), "\(typoReason)")
    }
}
