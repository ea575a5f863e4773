import Foundation
import SluiceArchive
import SluiceSystem
import SluiceTestSupport
import Testing

/// A model's identity is its inputs and outputs, not the facts of its run.
@Suite struct IdentityTests {
    struct Identity: Decodable {
        struct Inputs: Decodable { let drops: [String]; let champion: Champion?; let references: [String: String] }
        struct Champion: Decodable { let version: Int }
        let inputs: Inputs
        let digest: String
    }

    struct Manifest: Decodable {
        let identity: Identity
        let run: Run
        struct Run: Decodable { let key: String }
    }

    func members(_ space: Workspace, _ version: Int) throws -> [String: [UInt8]] {
        let archive = space.root + "/outbox/churn/churn-v\(version).tar.gz"
        return Dictionary(try ArchiveReader.members(of: archive).map { ($0.name, $0.bytes) }) { $1 }
    }

    func manifest(_ members: [String: [UInt8]]) throws -> Manifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Manifest.self, from: Data(members["manifest.json"] ?? []))
    }

    func publishTwo(seed: String = "42") throws -> Workspace {
        let space = try Workspace(promotion: "min: {auc: 0.5}\n      champion: {metric: auc, min_improvement: -1}",
                                  pipelineExtra: "    window: {drops: 2}")
        if seed != "42" {
            try space.writeConfig(try FileSystem.readText(space.config).replacingOccurrences(of: "seed: 42", with: "seed: \(seed)"))
        }
        for index in 0..<2 {
            try space.drop("d\(index).csv", ChurnData.csv(rows: 400, seed: 1200 + UInt64(index)))
            #expect(try space.serve().status == 0)
        }
        return space
    }

    @Test func theSameInputsInTwoStateFoldersGiveTheSameIdentityAndBytes() throws {
        let first = try publishTwo(), second = try publishTwo()
        let a = try members(first, 2), b = try members(second, 2)
        let ma = try manifest(a), mb = try manifest(b)
        #expect(ma.run.key != mb.run.key)                       // different runs …
        #expect(ma.identity.digest == mb.identity.digest)       // … same model
        #expect(ma.identity.digest.count == 64)
        #expect(ma.identity.inputs.drops.count == 2)            // own drop and the window's
        #expect(ma.identity.inputs.champion?.version == 1)
        #expect(ma.identity.inputs.references.keys.sorted() == ["reference/profile.json", "reference/schema.json"])
        for name in ["model.json", "transform.json", "metrics.json", "evaluation.json", "gate.json"] {
            #expect(a[name] != nil && a[name] == b[name], "\(name) differs between state folders")
        }
        #expect(a["MODEL_CARD.md"] != b["MODEL_CARD.md"])       // run facts: times and run key
        // The ledger keeps the identity, and lineage shows it.
        #expect(try first.strings("SELECT identity FROM models WHERE version = 2") == [ma.identity.digest])
        let lineage = try Command.sluice(["lineage", "churn:2", "--config", first.config], in: first.root)
        #expect(lineage.stdout.contains("identity \(ma.identity.digest)"), "\(lineage.stdout)")

        let reseeded = try publishTwo(seed: "7")
        #expect(try manifest(try members(reseeded, 2)).identity.digest != ma.identity.digest)
    }
}

/// `sluice verify --reproduce` re-runs an archive's inputs and compares.
@Suite struct ReproduceTests {
    @Test func anArchiveWithAWindowAndAChampionReproducesIdentically() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}\n      champion: {metric: auc, min_improvement: -1}",
                                  pipelineExtra: "    window: {drops: 2}")
        for index in 0..<3 {
            try space.drop("d\(index).csv", ChurnData.csv(rows: 400, seed: 1300 + UInt64(index)))
            #expect(try space.serve().status == 0)
        }
        let before = try FileSystem.list(space.root + "/outbox/churn").sorted()
        let runs = try space.count("SELECT count(*) FROM runs")
        // Its own temp folder: another test's reproduction may be running meanwhile.
        let temp = space.root + "/tmp"
        try FileSystem.createDirectory(temp)
        let result = try Command.sluice(["verify", space.root + "/outbox/churn/churn-v3.tar.gz", "--config", space.config,
                                         "--reproduce"], in: space.root, environment: ["TMPDIR": temp])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("reproduce: identical: identity "), "\(result.stdout)")
        // Nothing outside the scratch folder was touched.
        #expect(try FileSystem.list(space.root + "/outbox/churn").sorted() == before)
        #expect(try space.count("SELECT count(*) FROM runs") == runs)
        #expect(try FileSystem.list(temp).isEmpty, "the scratch folder was left: \((try? FileSystem.list(temp)) ?? [])")
    }

    @Test func aPluginThatIsNowADifferentFileIsNamed() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.drop("d.csv", ChurnData.csv(rows: 400, seed: 1400))
        #expect(try space.serve().status == 0)
        // Swap the evaluate stage's plugin for a copy with one more byte, found first on the plugin path.
        let folder = space.root + "/plugins"
        try FileSystem.createDirectory(folder)
        let original = try #require(try FileSystem.list(BuildProducts.directory).first { $0.contains("evaluate") && $0.hasSuffix(".so") })
        try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.directory + "/" + original) + [0], to: folder + "/" + original)
        try space.writeConfig(try FileSystem.readText(space.config)
            .replacingOccurrences(of: "plugin_path: [", with: "plugin_path: [\(folder), "))
        let result = try Command.sluice(["verify", space.root + "/outbox/churn/churn-v1.tar.gz", "--config", space.config,
                                         "--reproduce"], in: space.root)
        #expect(result.status == 1)
        #expect(result.stdout.contains("not reproducible here: plugin evaluate"), "\(result.stdout)")
        #expect(result.stdout.contains("is now a different .so"), "\(result.stdout)")
    }
}
