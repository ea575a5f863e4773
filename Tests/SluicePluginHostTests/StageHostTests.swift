import SluiceData
import SluicePluginHost
import SluiceTestSupport
import Testing

/// Runs real C plugins through the real service table.
@Suite struct StageHostTests {
    func table() throws -> Table {
        try CSVReader.read(Array("a,b,y\n1,x,yes\n,y,no\n3,,yes\n4,x,no\n".utf8), file: "t.csv")
    }

    @Test func theCPluginReadsTheTableAndRecordsMetrics() throws {
        let plugin = try PluginLoader().load(path: BuildProducts.plugin("sluice-row-audit"))
        let host = StageHost(table: try table(), roles: [0, 1, 0, 0], settings: ["target": "y"])
        let result = host.run(plugin, params: [:], observer: nil)
        #expect(result.status == .succeeded)
        let metrics = Dictionary(uniqueKeysWithValues: result.metrics.map { ($0.name, $0.value) })
        #expect(metrics["rows"] == 4)
        #expect(metrics["holdout_share"] == 0.25)
        #expect(metrics["missing_share"] == 2.0 / 12.0)   // one numeric NaN, one missing category
    }

    @Test func aFailingPluginFailsWithItsMessage() throws {
        let plugin = try PluginLoader().load(path: BuildProducts.plugin("sluice-row-audit"))
        let host = StageHost(table: try table(), roles: [0, 1, 0, 0], settings: [:])
        let result = host.run(plugin, params: ["max_missing_share": "0.01"], observer: nil)
        guard case .failed(let message) = result.status else {
            Issue.record("expected failure, got \(result.status)")
            return
        }
        #expect(message.contains("more than max_missing_share"))
        let bad = host.run(plugin, params: ["max_missing_share": "lots"], observer: nil)
        #expect(bad.status == .failed("parameter max_missing_share: expected a number, got 'lots'"))
    }

    @Test func verdictsAndFailuresReachTheHost() throws {
        let plugin = try PluginLoader().load(path: BuildProducts.plugin("sluice-fixture-misbehave"))
        let host = StageHost(table: try table(), roles: [0, 1, 0, 0], settings: [:])
        #expect(host.run(plugin, params: ["mode": "approve"], observer: nil).verdict == .approve("misbehave approves"))
        #expect(host.run(plugin, params: ["mode": "reject"], observer: nil).verdict == .reject("misbehave rejects"))
        #expect(host.run(plugin, params: ["mode": "fail"], observer: nil).status == .failed("misbehave: failing on purpose"))
    }

    @Test func hostArtifactsAreKept() throws {
        let host = StageHost(table: try table(), roles: [0, 0, 0, 1], settings: [:])
        host.putArtifact("notes.txt", Array("hello".utf8))
        #expect(host.artifact("notes.txt") == Array("hello".utf8))
        #expect(host.artifactNames == ["notes.txt"])
    }
}
