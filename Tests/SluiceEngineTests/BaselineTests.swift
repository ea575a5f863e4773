import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// Every evaluation scores the trivial predictor; a baseline rule makes the candidate beat it.
@Suite struct BaselineTests {
    /// Churn data whose target is noise: 10% "yes", unrelated to the features.
    static func noise(rows: Int, seed: UInt64) -> String {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return ChurnData.csv(rows: rows, seed: seed).split(separator: "\n").enumerated().map { index, line in
            guard index > 0 else { return String(line) }
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[fields.count - 1] = next() < 0.1 ? "yes" : "no"
            return fields.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    @Test func aModelThatDoesNotBeatTheMajorityClassIsRejectedAndSaysWhy() throws {
        let space = try Workspace(promotion: "min: {accuracy: 0.5}\n      baseline: {metric: balanced_accuracy, min_improvement: 0.05}")
        try space.drop("noise.csv", Self.noise(rows: 1500, seed: 1500))
        #expect(try space.serve().status == 0)
        #expect(try space.strings("SELECT decision FROM models") == ["rejected"])
        let rule = try #require(try space.strings("SELECT text FROM gate_rules WHERE bound = 'baseline'").first)
        #expect(rule.hasPrefix("balanced_accuracy "), "\(rule)")
        #expect(rule.contains("vs baseline 0.5 (the class priors (majority class); "), "\(rule)")
        #expect(rule.contains("required: better by ≥ 0.05)"), "\(rule)")
        #expect(try space.count("SELECT count(*) FROM gate_rules WHERE bound = 'baseline' AND passed = 0") == 1)
        // The accuracy rule alone would have approved it: the baseline is what caught it.
        #expect(try space.count("SELECT count(*) FROM gate_rules WHERE bound = 'min' AND passed = 1") == 1)
        let reasons = try space.strings("SELECT reasons FROM models").first ?? ""
        #expect(reasons.contains("vs baseline"), "\(reasons)")
    }

    @Test func theBaselineIsScoredInEveryEvaluationOnTheSameRows() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.drop("day.csv", ChurnData.csv(rows: 1000, seed: 1501))
        #expect(try space.serve().status == 0)
        let names = Set(try space.strings("SELECT name FROM metrics WHERE name LIKE 'baseline.%'"))
        #expect(names.isSuperset(of: ["baseline.accuracy", "baseline.auc", "baseline.balanced_accuracy", "baseline.logloss"]))
        #expect(try space.double("SELECT value FROM metrics WHERE name = 'baseline.auc'") == 0.5)
        #expect(try space.double("SELECT value FROM metrics WHERE name = 'baseline.balanced_accuracy'") == 0.5)
        #expect(try space.count("SELECT count(*) FROM gate_rules WHERE bound = 'baseline'") == 0)   // no rule, no verdict
    }
}
