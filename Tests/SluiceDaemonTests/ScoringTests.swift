import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// Scoring drops and delayed labels, with real files, real processes and the real daemon.
@Suite struct ScoringTests {
    static let monitoring = "    scoring: {inbox: inbox/churn-score, id_column: customer}\n    labels: {inbox: inbox/churn-labels}"

    /// Churn rows with a `customer` id first and, unless `withTarget`, no target.
    static func scoringCSV(rows: Int, seed: UInt64, withTarget: Bool = false, dropping column: String? = nil) -> String {
        let lines = ChurnData.csv(rows: rows, seed: seed).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let keep = header.indices.filter { (withTarget || header[$0] != "churned") && header[$0] != column }
        return lines.enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return ([index == 0 ? "customer" : "c\(seed)-\(index)"] + keep.map { fields[$0] }).joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    /// A scoring drop with every number tripled: every numeric feature drifts.
    static func shifted(rows: Int, seed: UInt64) -> String {
        scoringCSV(rows: rows, seed: seed).split(separator: "\n").enumerated().map { index, line in
            guard index > 0 else { return String(line) }
            return line.split(separator: ",", omittingEmptySubsequences: false).map { field in
                Double(field).map { "\($0 * 3)" } ?? String(field)
            }.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    func csv(_ path: String) throws -> [[String]] {
        try FileSystem.readText(path).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func aScoringDropMatchesSluicePredictAndItsLabelsGiveTheRealizedMetrics() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}", pipelineExtra: Self.monitoring)
        try space.drop("train.csv", ChurnData.csv(rows: 600, seed: 1600))
        #expect(try space.serve().status == 0)
        let scoring = Self.scoringCSV(rows: 200, seed: 1601)
        try space.directory.write("inbox/churn-score/day.csv", scoring)
        let served = try space.serve()
        #expect(served.status == 0, "\(served.output)")
        let predictions = try csv(space.root + "/outbox/churn/predictions/day.csv.v1.csv")
        #expect(predictions.first == ["customer", "predicted", "p_no", "p_yes"])
        #expect(predictions.count == 201)

        // The same input through sluice predict: the same label and the same bits.
        let input = try space.directory.write("copy/day.csv", scoring)
        let predict = try Command.sluice(["predict", "--model", space.root + "/outbox/churn/current.tar.gz", input,
                                          "--output", space.root + "/copy/out.csv"])
        #expect(predict.status == 0, "\(predict.output)")
        let expected = try csv(space.root + "/copy/out.csv")
        for row in 1...200 {
            #expect(predictions[row][0] == "c1601-\(row)")
            #expect(predictions[row][1] == expected[row][2], "row \(row)")
            #expect(Double(predictions[row][3])!.bitPattern == Double(expected[row][1])!.bitPattern, "row \(row)")
        }
        #expect(try space.strings("SELECT status || ' ' || rows || ' v' || version FROM scoring_runs") == ["scored 200 v1"])
        #expect(try space.strings("SELECT kind FROM drops ORDER BY id") == ["train", "score"])
        #expect(space.files("archive/churn/scoring").count == 1)

        // Labels for 150 of them, and 10 ids nobody scored.
        let truth = ChurnData.csv(rows: 200, seed: 1601).split(separator: "\n").dropFirst().map { $0.split(separator: ",").last.map(String.init)! }
        var labels = "customer,churned\n"
        for row in 1...150 { labels += "c1601-\(row),\(truth[row - 1])\n" }
        for extra in 1...10 { labels += "nobody-\(extra),yes\n" }
        try space.directory.write("inbox/churn-labels/truth.csv", labels)
        #expect(try space.serve().status == 0)
        let correct = (1...150).filter { predictions[$0][1] == truth[$0 - 1] }.count
        #expect(try space.double("SELECT value FROM realized_metrics WHERE name = 'accuracy' AND source = 'labels'")
                == Double(correct) / 150)
        #expect(try space.strings("SELECT rows || ' v' || version FROM realized_metrics WHERE name = 'auc'") == ["150 v1"])
        let reason = try space.strings("SELECT outcome_reason FROM drops WHERE kind = 'labels'").first ?? ""
        #expect(reason.hasPrefix("150 of 160 labels matched predictions (10 matched nothing)"), "\(reason)")
        #expect(space.files("archive/churn/labels").count == 1)
        // Labels and scoring drops never enter a training window or count as duplicates.
        #expect(try space.count("SELECT count(*) FROM run_inputs") == 1)
    }

    @Test func aScoringDropWithoutAModelOrWithAMissingColumnIsQuarantinedWithTheReason() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}", pipelineExtra: Self.monitoring)
        try space.directory.write("inbox/churn-score/early.csv", Self.scoringCSV(rows: 50, seed: 1700))
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT outcome_reason FROM drops WHERE kind = 'score'")
                == ["no model in service yet to score with (publish one from the training inbox first)"])
        try space.drop("train.csv", ChurnData.csv(rows: 600, seed: 1701))
        try space.directory.write("inbox/churn-score/broken.csv", Self.scoringCSV(rows: 50, seed: 1702, dropping: "tenure"))
        #expect(try space.serve().status == 0)
        let reasons = try space.strings("SELECT outcome_reason FROM drops WHERE kind = 'score' ORDER BY id")
        #expect(reasons.last == "missing column 'tenure' (numeric): the model uses it", "\(reasons)")
        #expect(space.files("quarantine/churn").filter { $0.hasSuffix(".reason") }.count == 2)
        #expect(!FileSystem.exists(space.root + "/outbox/churn/predictions/broken.csv.v1.csv"))
    }

    @Test func theDaemonScoresADropDroppedInTheScoringInbox() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}", extra: "metrics_file: metrics/sluice.prom",
                                  pipelineExtra: Self.monitoring)
        try space.drop("train.csv", ChurnData.csv(rows: 600, seed: 1800))
        #expect(try space.serve().status == 0)
        let daemon = try space.startDaemon()
        try space.directory.write("inbox/churn-score/live.csv", Self.scoringCSV(rows: 100, seed: 1801))
        let path = space.root + "/outbox/churn/predictions/live.csv.v1.csv"
        #expect(eventually { FileSystem.exists(path) }, "\(daemon.log)")
        #expect(eventually { (try? space.strings("SELECT status FROM scoring_runs")) == ["scored"] }, "\(daemon.log)")
        let metrics = space.root + "/metrics/sluice.prom"
        #expect(eventually { ((try? FileSystem.readText(metrics)) ?? "").contains("sluice_scored_rows_total{pipeline=\"churn\"} 100") },
                "\((try? FileSystem.readText(metrics)) ?? "no metrics file")")
        #expect(try FileSystem.readText(metrics).contains("sluice_prediction_class_share{pipeline=\"churn\",class=\"no\"}"))
        #expect(try FileSystem.readText(metrics).contains("sluice_scoring_drift{pipeline=\"churn\",column=\"tenure\",measure=\"psi\"}"))
        #expect(daemon.stop() == 0)
        #expect(try csv(path).count == 101)
    }

    @Test func aShiftedScoringDropCrossesTheDriftThresholdAndAStableOneDoesNot() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}", pipelineExtra: Self.monitoring)
        try space.drop("train.csv", ChurnData.csv(rows: 2000, seed: 2200))
        try space.directory.write("inbox/churn-score/stable.csv", Self.scoringCSV(rows: 2000, seed: 2201))
        #expect(try space.serve().status == 0)
        // The same population with every number tripled: every numeric feature moves.
        try space.directory.write("inbox/churn-score/shifted.csv", Self.shifted(rows: 2000, seed: 2202))
        #expect(try space.serve().status == 0)
        let shares = try space.ledger().read { db in
            try Double.fetchAll(db, sql: "SELECT drifted_share FROM scoring_runs ORDER BY id")
        }
        #expect(shares.count == 2)
        #expect(shares.first == 0, "\(shares)")
        #expect((shares.last ?? 0) > 0.3, "\(shares)")
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'scoring.drift'") == 1)
        let reason = try space.strings("SELECT outcome_reason FROM drops WHERE file_name = 'shifted.csv'").first ?? ""
        #expect(reason.contains("of features drifted from the champion's training data (tenure psi "), "\(reason)")
    }

    /// A scoring worker that dies is a quarantined scoring drop, not a failed training run.
    @Test func aScoringWorkerThatDiesQuarantinesItsDropAndRecordsNoTrainingRun() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}", pipelineExtra: Self.monitoring)
        try space.drop("train.csv", ChurnData.csv(rows: 600, seed: 2900))
        #expect(try space.serve().status == 0)
        let daemon = try space.startDaemon(environment: ["SLUICE_TEST_CRASH_AT": "scoring.scored"])
        try space.directory.write("inbox/churn-score/dies.csv", Self.scoringCSV(rows: 50, seed: 2901))
        #expect(eventually { (try? space.strings("SELECT outcome FROM drops WHERE kind = 'score'")) == ["quarantined"] }, "\(daemon.log)")
        #expect(daemon.stop() == 0)
        #expect(try space.count("SELECT count(*) FROM runs") == 1)   // only the training run
        #expect(try space.count("SELECT count(*) FROM drops") == 2)  // the worker's own row, reused
        #expect(try space.strings("SELECT status FROM scoring_runs") == ["quarantined"])
        #expect(try space.strings("SELECT outcome_reason FROM drops WHERE kind = 'score'").first == "worker exited with status 86")
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'scoring.failed'") == 1)
    }
}
