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

    /// features replaces every numeric column. When nothing but the host's
    /// table holds a column, its memory is written in place; a table someone
    /// else still holds keeps its values (the new ones go to fresh memory).
    @Test func aReplacedColumnIsWrittenInPlaceOnlyWhenNoOneElseHoldsIt() throws {
        let plugin = try PluginLoader().load(path: BuildProducts.plugin("sluice-features"))
        func address(_ table: Table, _ name: String) -> UInt? {
            guard case .numeric(let storage)? = table.columns.first(where: { $0.name == name })?.values else { return nil }
            return UInt(bitPattern: storage.values.baseAddress)
        }
        func values(_ table: Table, _ name: String) -> [Float] {
            guard case .numeric(let storage)? = table.columns.first(where: { $0.name == name })?.values else { return [] }
            return Array(storage.values)
        }
        // Training rows 0, 2, 3 hold 1, 3, 4 (the missing one is a holdout row): mean 8/3.
        let mean: Double = 8.0 / 3
        let sd: Double = (14.0 / 9).squareRoot()
        let raw: [Double] = [1, mean, 3, 4]
        let expected: [Float] = raw.map { (x: Double) -> Float in Float((x - mean) / sd) }

        var alone = try table()
        let before = address(alone, "a")
        let host = StageHost(table: consume alone, roles: [0, 1, 0, 0], settings: ["target": "y"])
        #expect(host.run(plugin, params: [:], observer: nil).status == .succeeded)
        #expect(address(host.table, "a") == before)
        #expect(zip(values(host.table, "a"), expected).allSatisfy { abs($0 - $1) < 1e-6 })

        let kept = try table()
        let shared = StageHost(table: kept, roles: [0, 1, 0, 0], settings: ["target": "y"])
        #expect(shared.run(plugin, params: [:], observer: nil).status == .succeeded)
        #expect(address(shared.table, "a") != address(kept, "a"))
        #expect(zip(values(shared.table, "a"), expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(values(kept, "a").map(\.bitPattern) == [1, Float.nan, 3, 4].map(\.bitPattern))
    }

    @Test func hostArtifactsAreKept() throws {
        let host = StageHost(table: try table(), roles: [0, 0, 0, 1], settings: [:])
        host.putArtifact("notes.txt", Array("hello".utf8))
        #expect(host.artifact("notes.txt") == Array("hello".utf8))
        #expect(host.artifactNames == ["notes.txt"])
    }
}
