import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// `monitor:` policies on the realized performance of the model in service.
@Suite struct MonitorTests {
    func csv(_ path: String) throws -> [[String]] {
        try FileSystem.readText(path).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Labels for the scored rows: each row's `truth(row, predicted)`.
    func labels(_ predictions: [[String]], _ truth: (Int, String) -> String) -> String {
        "customer,churned\n" + (1..<predictions.count).map { "\(predictions[$0][0]),\(truth($0, predictions[$0][1]))\n" }.joined()
    }

    static func flip(_ label: String) -> String { label == "yes" ? "no" : "yes" }

    @Test(arguments: TestLedger.allCases) func anAlertNeedsConsecutiveBreachesAndWaitsOutTheCooldown(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.5}", pipelineExtra: ScoringTests.monitoring
            + "\n    monitor: {metric: accuracy, min: 0.9, consecutive: 2, cooldown: 2, action: alert}")
        try space.drop("train.csv", ChurnData.csv(rows: 600, seed: 1900))
        try space.directory.write("inbox/churn-score/day.csv", ScoringTests.scoringCSV(rows: 100, seed: 1901))
        #expect(try space.serve().status == 0)
        let predictions = try csv(space.root + "/outbox/churn/predictions/day.csv.v1.csv")
        // good, then bad six times: actions after the 2nd bad one, and again only after the cooldown.
        var actions: [Int] = []
        for (index, good) in [true, false, false, false, false, false, false].enumerated() {
            try space.directory.write("inbox/churn-labels/l\(index).csv", labels(predictions) { _, p in good ? p : Self.flip(p) })
            #expect(try space.serve().status == 0)
            actions.append(try space.count("SELECT count(*) FROM monitor_actions"))
        }
        #expect(actions == [0, 0, 1, 1, 1, 1, 2])
        let reason = try space.strings("SELECT reason FROM monitor_actions ORDER BY id").first ?? ""
        #expect(reason == "accuracy of v1 below min 0.9 in 2 measurements in a row (0, 0)", "\(reason)")
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'monitor.alert'") == 2)
        #expect(try space.strings("SELECT version FROM current_models") == ["1"])   // an alert changes nothing
    }

    @Test(arguments: TestLedger.allCases) func anAutoRollbackHappensOnlyWhenThePreviousChampionIsBetterOnTheSameRows(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.5}", pipelineExtra: ScoringTests.monitoring
            + "\n    monitor: {metric: accuracy, min: 0.99, action: rollback}")
        try space.drop("a.csv", ChurnData.csv(rows: 200, seed: 2000))
        #expect(try space.serve().status == 0)
        try space.drop("b.csv", ChurnData.csv(rows: 900, seed: 2001))
        let scoring = ScoringTests.scoringCSV(rows: 400, seed: 2002)
        try space.directory.write("inbox/churn-score/day.csv", scoring)
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT version FROM current_models") == ["2"])
        let byV2 = try csv(space.root + "/outbox/churn/predictions/day.csv.v2.csv")
        let input = try space.directory.write("copy/day.csv", scoring)
        #expect(try Command.sluice(["predict", "--model", space.root + "/outbox/churn/churn-v1.tar.gz", input,
                                    "--output", space.root + "/copy/v1.csv"]).status == 0)
        let byV1 = try csv(space.root + "/copy/v1.csv")   // row,p_yes,predicted
        let disagreements = (1..<byV2.count).filter { byV2[$0][1] != byV1[$0][2] }.count
        try #require(disagreements > 0, "the two models must differ somewhere for this test to mean anything")

        // The truth is the opposite of what v1 says: v2 is poor, but v1 is worse still. Kept.
        try space.directory.write("inbox/churn-labels/worse.csv", labels(byV2) { row, _ in Self.flip(byV1[row][2]) })
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT version FROM current_models") == ["2"])
        let kept = try space.strings("SELECT outcome FROM monitor_actions").last ?? ""
        #expect(kept.hasPrefix("kept v2: v1 scores 0 on the same 400 rows"), "\(kept)")

        // The truth is what v1 says: v1 is better on the same rows. Rolled back, through the verified rollback.
        try space.directory.write("inbox/churn-labels/better.csv", labels(byV2) { row, _ in byV1[row][2] })
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT version FROM current_models") == ["1"])
        #expect(FileSystem.symlinkTarget(space.root + "/outbox/churn/current.tar.gz") == "churn-v1.tar.gz")
        let change = try space.strings("SELECT action || ' by ' || by_name FROM champion_changes ORDER BY id").last
        #expect(change == "auto-rollback by sluice monitor")
        let rolled = try space.strings("SELECT outcome FROM monitor_actions").last ?? ""
        #expect(rolled.hasPrefix("rolled back to v1: v1 scores 1 on the same 400 rows"), "\(rolled)")
        // The report shows it all.
        let report = try space.report()
        #expect(report.stdout.contains("400 rows scored, 800 labels matched"), "\(report.stdout)")
        #expect(report.stdout.contains("v2 realized on 400 rows (labels, "), "\(report.stdout)")
        #expect(report.stdout.contains("monitor rollback "), "\(report.stdout)")
        let json = try space.report(["--format", "json"])
        #expect(json.stdout.contains("\"monitor_actions\""))
    }

    @Test(arguments: TestLedger.allCases) func aRetrainActionWaivesTheNextChampionComparison(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.5}\n      champion: {metric: auc, min_relative_improvement: 0.5}",
                                  pipelineExtra: ScoringTests.monitoring + "\n    monitor: {metric: accuracy, min: 0.9, action: retrain}")
        try space.drop("a.csv", ChurnData.csv(rows: 600, seed: 2100))
        try space.directory.write("inbox/churn-score/day.csv", ScoringTests.scoringCSV(rows: 100, seed: 2101))
        #expect(try space.serve().status == 0)
        let predictions = try csv(space.root + "/outbox/churn/predictions/day.csv.v1.csv")
        try space.directory.write("inbox/churn-labels/bad.csv", labels(predictions) { _, p in Self.flip(p) })
        #expect(try space.serve().status == 0)
        #expect(try space.count("SELECT count(*) FROM monitor_actions WHERE action = 'retrain'") == 1)
        // Beating v1 by 50% is out of reach; with the comparison waived the absolute rules decide.
        try space.drop("b.csv", ChurnData.csv(rows: 600, seed: 2102))
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT version FROM current_models") == ["2"])
        #expect(try space.count("SELECT count(*) FROM monitor_actions WHERE consumed_run_id IS NOT NULL") == 1)
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'champion.waived' AND message LIKE '%monitor: accuracy of v1%'") == 1)
    }

    @Test(arguments: TestLedger.allCases) func driftOfScoredDataActsAfterConsecutiveDriftedDrops(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.5}", pipelineExtra: ScoringTests.monitoring
            + "\n    monitor: {drift: {max_drifted_share: 0.3}, consecutive: 2, action: retrain}")
        try space.drop("train.csv", ChurnData.csv(rows: 1500, seed: 2300))
        #expect(try space.serve().status == 0)
        var actions: [Int] = []
        for (index, drifted) in [false, true, true].enumerated() {
            let text = drifted ? ScoringTests.shifted(rows: 1000, seed: 2301 + UInt64(index))
                : ScoringTests.scoringCSV(rows: 1000, seed: 2301 + UInt64(index))
            try space.directory.write("inbox/churn-score/s\(index).csv", text)
            #expect(try space.serve().status == 0)
            actions.append(try space.count("SELECT count(*) FROM monitor_actions"))
        }
        #expect(actions == [0, 0, 1])
        #expect(try space.strings("SELECT action || ' ' || metric FROM monitor_actions") == ["retrain drift"])
        let reason = try space.strings("SELECT reason FROM monitor_actions").first ?? ""
        #expect(reason.hasPrefix("drifted share of scored data above max_drifted_share 0.3 in 2 scoring drops in a row"), "\(reason)")
    }

    @Test(arguments: TestLedger.allCases) func aMonitorPolicyThatSaysNothingIsAConfigError(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, pipelineExtra: "    monitor: {metric: auc}")
        let result = try Command.sluice(["check", "--config", space.config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("give min or max_decline (or both) for metric: what counts as degraded"), "\(result.stderr)")
    }

    @Test(arguments: TestLedger.allCases) func anAlertTakenInAWorkerReachesSystemdStatus(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.5}", pipelineExtra: ScoringTests.monitoring
            + "\n    monitor: {metric: accuracy, min: 0.9, action: alert}")
        try space.drop("train.csv", ChurnData.csv(rows: 600, seed: 2400))
        try space.directory.write("inbox/churn-score/day.csv", ScoringTests.scoringCSV(rows: 100, seed: 2401))
        #expect(try space.serve().status == 0)
        let predictions = try csv(space.root + "/outbox/churn/predictions/day.csv.v1.csv")
        let socket = try NotifySocket(path: space.root + "/notify.sock")
        let daemon = try space.startDaemon(environment: ["NOTIFY_SOCKET": socket.path])
        try space.directory.write("inbox/churn-labels/bad.csv", labels(predictions) { _, p in Self.flip(p) })
        #expect(eventually { socket.messages.contains { $0.contains("STATUS=") && $0.contains("churn: monitor alert at ") } },
                "\(socket.messages)\n\(daemon.log)")
        #expect(daemon.stop() == 0)
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'monitor.alert'") == 1)
    }
}
