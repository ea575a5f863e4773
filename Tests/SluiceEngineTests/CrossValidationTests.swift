import Foundation
import SluiceArchive
import SluiceTestSupport
import Testing

/// `cv_folds`: stratified k-fold cross-validation in the train stage, reported as mean ± sd.
@Suite struct CrossValidationTests {
    func run(_ folds: Int, seed: UInt64 = 71) throws -> (Workspace, String) {
        let workspace = try Workspace(stages: """
                  - plugin: validate
                  - plugin: features
                  - plugin: train
                    params: {cv_folds: \(folds)}
                  - plugin: evaluate
            """)
        try workspace.drop("a.csv", ChurnData.csv(rows: 2000, seed: seed))
        let result = try workspace.serve()
        #expect(result.status == 0)
        return (workspace, result.output)
    }

    @Test func foldsAreScoredAndSummarizedNearTheHoldout() throws {
        let (workspace, output) = try run(5)
        let mean = try #require(try workspace.double("SELECT value FROM metrics WHERE name = 'cv.auc.mean'"))
        let sd = try #require(try workspace.double("SELECT value FROM metrics WHERE name = 'cv.auc.sd'"))
        let holdout = try #require(try workspace.double("SELECT value FROM metrics WHERE name = 'auc'"))
        #expect(mean > 0.6 && mean < 1)
        #expect(sd > 0 && sd < 0.1)
        // Folds of 320 rows and a 400-row holdout: the estimates agree within their noise.
        #expect(abs(mean - holdout) < max(0.08, 4 * sd), "cv \(mean) vs holdout \(holdout)")
        for name in ["cv.accuracy.mean", "cv.accuracy.sd", "cv.logloss.mean", "cv.logloss.sd"] {
            #expect(try workspace.count("SELECT count(*) FROM metrics WHERE name = ?", [name]) == 1, "\(name)")
        }
        let members = try ArchiveReader.members(of: workspace.root + "/outbox/churn/current.tar.gz")
        let cv = try #require(members.first { $0.name == "cv.json" })
        let folds = try JSONSerialization.jsonObject(with: Data(cv.bytes)) as? [String: [[String: Double]]]
        #expect(folds?["folds"]?.count == 5)
        let line = output.split(separator: "\n").first { $0.contains("5-fold cross-validation on 1600 training rows") }
        #expect(line?.contains("auc 0.") == true && line?.contains(" ± ") == true, "\(output)")
    }

    @Test func theSameSeedGivesTheSameFoldsAndABadFoldCountIsNamed() throws {
        let (first, _) = try run(3), (second, _) = try run(3)
        let query = "SELECT value FROM metrics WHERE name = 'cv.logloss.mean'"
        #expect(try first.double(query) == second.double(query))
        let (bad, _) = try run(1)
        let failure = try bad.strings("SELECT message FROM stage_runs WHERE stage = 'train'")
        #expect(failure.first?.contains("cv_folds is 1; expected 0 (off) or between 2 and") == true, "\(failure)")
    }
}
