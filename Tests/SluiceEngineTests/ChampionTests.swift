import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The candidate must beat the model in service, re-scored on the same
/// holdout rows; with no champion yet, the first-run policy decides.
@Suite struct ChampionTests {
    @Test func aCandidateThatDoesNotBeatTheChampionIsNotPublished() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}\n      champion: {metric: auc, min_relative_improvement: 0.5}")
        try space.drop("first.csv", ChurnData.csv(rows: 800, seed: 31))
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT text FROM gate_rules WHERE bound = 'first_run'")
                == ["no champion yet (first run): the absolute rules decide"])
        #expect(try space.strings("SELECT version FROM current_models") == ["1"])

        try space.drop("second.csv", ChurnData.csv(rows: 800, seed: 32))
        let run = try space.serve()
        #expect(run.status == 0)
        #expect(run.stderr.contains("champion v1 re-scored on this drop's"))
        let rule = try #require(try space.strings("SELECT text FROM gate_rules WHERE bound = 'champion'").first)
        #expect(rule.range(of: #"^auc 0\.\d+ vs champion v1 0\.\d+ \((better|worse) by [0-9.e-]+%; required: better by ≥ 50%\)$"#,
                           options: .regularExpression) != nil, "\(rule)")
        #expect(try space.count("SELECT count(*) FROM gate_rules WHERE bound = 'champion' AND passed = 0") == 1)
        #expect(try space.count("SELECT count(*) FROM metrics WHERE name = 'champion.auc'") == 1)
        #expect(try space.strings("SELECT decision FROM models ORDER BY id") == ["approved", "rejected"])
        #expect(try space.strings("SELECT version FROM current_models") == ["1"])
        #expect(space.files("outbox/churn").sorted() == ["churn-v1.tar.gz", "current.tar.gz", "rejected"])
        #expect(space.files("outbox/churn/rejected").count == 1)
        // The champion's scores are an input to the gate, not part of the model.
        #expect(!(try Command.run("/bin/tar", ["-tzf", space.root + "/outbox/churn/churn-v1.tar.gz"]).stdout.contains("champion/")))

        // Allowing any loss against the champion publishes v2.
        let config = try FileSystem.readText(space.config)
            .replacingOccurrences(of: "min_relative_improvement: 0.5", with: "min_improvement: -1")
        try space.writeConfig(config)
        try space.drop("third.csv", ChurnData.csv(rows: 800, seed: 33))
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT version FROM current_models") == ["2"])
        #expect(try space.count("SELECT count(*) FROM gate_rules WHERE bound = 'champion' AND passed = 1") == 1)
    }

    @Test func firstRunRejectPublishesNothingWithoutAChampion() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}\n      first_run: reject")
        try space.drop("first.csv", ChurnData.csv(rows: 500, seed: 34))
        #expect(try space.serve().status == 0)
        // Nothing published; the rejected candidate is kept apart, never current.
        #expect(space.files("outbox/churn") == ["rejected"])
        #expect(space.files("outbox/churn/rejected").count == 1)
        let reason = try space.strings("SELECT reasons FROM models").first ?? ""
        #expect(reason.contains("no champion yet and first_run is reject"))
    }

    @Test func championConfigErrorsAreNamed() throws {
        let space = try Workspace(promotion: "champion: {metrik: auc}")
        let result = try space.serve()
        #expect(result.status == 1)
        #expect(result.stderr.contains("pipelines.churn.promotion.champion.metrik: unknown key 'metrik' (did you mean 'metric'?)"))
    }
}
