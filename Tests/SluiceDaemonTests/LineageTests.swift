import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// Lineage both ways, with a training window and a rollback in the history.
@Suite struct LineageTests {
    struct Lineage: Decodable {
        struct Input: Decodable { let fileName: String; let position: Int; let rows: Int; let sha256: String? }
        struct Stage: Decodable { let stage: String; let pluginName: String?; let pluginSha256: String?; let metrics: [String: Double] }
        struct Change: Decodable { let version: Int; let action: String }
        let pipeline: String
        let version: Int?
        let runKey: String
        let inputs: [Input]
        let stages: [Stage]
        let changes: [Change]
        let inService: Bool
        let archiveSha256: String?
    }

    struct Use: Decodable { let version: Int?; let position: Int; let inService: Bool }

    func json<T: Decodable>(_ type: T.Type, _ space: Workspace, _ arguments: [String]) throws -> T {
        let result = try Command.sluice(["lineage"] + arguments + ["--format", "json", "--config", space.config], in: space.root)
        #expect(result.status == 0, "\(result.output)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: Data(result.stdout.utf8))
    }

    @Test(arguments: TestLedger.allCases) func aModelTracesToItsWindowDropsAndADropToEveryModelItTrained(_ ledger: TestLedger) throws {
        let space = try Workspace(ledger: ledger, promotion: "min: {auc: 0.5}", pipelineExtra: "    window: {drops: 3}")
        for (index, rows) in [300, 400, 500].enumerated() {
            try space.drop("d\(index).csv", ChurnData.csv(rows: rows, seed: 900 + UInt64(index)))
            #expect(try space.serve().status == 0)
        }
        #expect(try Command.sluice(["rollback", "churn", "--reason", "check", "--config", space.config]).status == 0)

        let v3 = try json(Lineage.self, space, ["churn:3"])
        #expect(v3.inputs.map(\.fileName) == ["d2.csv", "d1.csv", "d0.csv"])
        #expect(v3.inputs.map(\.position) == [0, 1, 2])
        #expect(v3.inputs.map(\.rows) == [500, 400, 300])
        #expect(v3.stages.map(\.stage) == ["ingest", "validate", "features", "train", "evaluate"])
        #expect(v3.stages.dropFirst().allSatisfy { $0.pluginName != nil && $0.pluginSha256?.count == 64 })
        #expect(v3.stages.last?.metrics["auc"] != nil)
        #expect(v3.changes.map(\.action) == ["approve", "rollback"])   // made current, then replaced by v2
        #expect(!v3.inService)
        // The same model by its archive and by the archive's hash.
        let byFile = try json(Lineage.self, space, [space.root + "/outbox/churn/churn-v3.tar.gz"])
        #expect(byFile.runKey == v3.runKey)
        #expect(try json(Lineage.self, space, [v3.archiveSha256!]).runKey == v3.runKey)
        let current = try json(Lineage.self, space, [space.root + "/outbox/churn/current.tar.gz"])
        #expect(current.version == 2 && current.inService)

        // Forward: d0 trained v1 (its own), v2 and v3 (window); v2 is in service.
        let d0 = try #require(v3.inputs.last?.sha256)
        let uses = try json([Use].self, space, ["--drop", d0])
        #expect(uses.map(\.version) == [1, 2, 3])
        #expect(uses.map(\.position) == [0, 1, 2])
        #expect(uses.map(\.inService) == [false, true, false])
        let text = try Command.sluice(["lineage", "--drop", d0, "--config", space.config], in: space.root)
        #expect(text.stdout.contains("trained 3 models"))
        #expect(text.stdout.contains("churn v2: approved, as window drop 1 — IN SERVICE NOW"))
        let modelText = try Command.sluice(["lineage", "churn:3", "--config", space.config], in: space.root)
        #expect(modelText.stdout.contains("window d0.csv  300 rows"), "\(modelText.stdout)")
        #expect(modelText.stdout.contains("replaced by v2 (rollback by"), "\(modelText.stdout)")

        let missing = try Command.sluice(["lineage", "churn:9", "--config", space.config], in: space.root)
        #expect(missing.status == 1 && missing.stderr.contains("churn has no v9 in the ledger"))
    }
}
