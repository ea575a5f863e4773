import SluiceData
import SluicePluginHost
import SluiceTestSupport
import Testing

/// Every way a plugin file can be wrong has its own error, tested with real
/// shared objects built by this package (Tests/PluginFixtures).
@Suite struct PluginLoaderTests {
    let loader = PluginLoader()

    @Test func aMissingFileSaysSo() throws {
        let path = "/nonexistent/nowhere.so"
        let error = #expect(throws: PluginLoadError.self) { try loader.load(path: path) }
        #expect(error == .fileMissing(path: path))
        #expect(error?.description == "plugin /nonexistent/nowhere.so: no such file")
    }

    @Test func aFileThatIsNotELFCarriesDlerror() throws {
        let directory = TemporaryDirectory()
        let path = try directory.write("fake.so", "this is not a shared object\n")
        let error = #expect(throws: PluginLoadError.self) { try loader.load(path: path) }
        guard case .notLoadable(let reported, let reason)? = error else {
            Issue.record("expected notLoadable, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
        #expect(reason.contains("fake.so"))   // dlerror() names the file and the problem
        #expect(error?.description.contains("not a loadable shared object") == true)
    }

    @Test func aSharedObjectWithoutTheSymbolSaysWhichSymbol() throws {
        let path = BuildProducts.plugin("sluice-fixture-no-symbol")
        let error = #expect(throws: PluginLoadError.self) { try loader.load(path: path) }
        #expect(error == .symbolMissing(path: path, symbol: "sluice_plugin_descriptor_v1"))
        #expect(error?.description.contains("missing symbol sluice_plugin_descriptor_v1") == true)
    }

    @Test func aWrongABIVersionIsRefusedBeforeRunning() throws {
        let path = BuildProducts.plugin("sluice-fixture-wrong-abi")
        let error = #expect(throws: PluginLoadError.self) { try loader.load(path: path) }
        #expect(error == .abiMismatch(path: path, found: 99, supported: 1))
        #expect(error?.description.contains("incompatible plugin ABI version 99; this sluice speaks ABI version 1") == true)
    }

    @Test func aDescriptorThatIsTooSmallIsRefused() throws {
        let path = BuildProducts.plugin("sluice-fixture-short-descriptor")
        let error = #expect(throws: PluginLoadError.self) { try loader.load(path: path) }
        #expect(error == .descriptorTooSmall(path: path, found: 8, required: PluginLoader.minimumDescriptorSize))
    }

    @Test func aGoodCPluginLoadsWithItsIdentity() throws {
        let plugin = try loader.load(path: BuildProducts.plugin("sluice-row-audit"))
        #expect(plugin.name == "row-audit")
        #expect(plugin.version == "1.0.0")
        #expect(plugin.kind == .custom)
        #expect(plugin.sha256.count == 64)
        // Loading twice gives the same cached plugin.
        #expect(try loader.load(path: plugin.path).path == plugin.path)
    }

    @Test func aPluginBuiltBeforeTheDescriptorGrewStillLoadsAndRuns() throws {
        // Its struct_size stops at plugin_data and the bytes after it are not
        // an apply entry: the host must not read them.
        let plugin = try loader.load(path: BuildProducts.plugin("sluice-fixture-v1-original"))
        #expect(plugin.descriptorSize == PluginLoader.minimumDescriptorSize)
        #expect(!plugin.applies)
        let table = Table(rowCount: 3, columns: [TableColumn(name: "x", values: .numeric(NumericStorage([1, 2, 3])))],
                          rowLines: [2, 3, 4])
        let host = StageHost(table: table, roles: [0, 0, 1], settings: [:])
        let result = host.run(plugin, params: [:], observer: nil)
        #expect(result.status == .succeeded)
        #expect(result.metrics.first { $0.name == "rows_seen" }?.value == 3)
        // apply on a plugin without one leaves the table alone.
        #expect(host.apply(plugin, params: [:], observer: nil).status == .succeeded)
    }

    @Test func pluginsAreFoundByShortName() throws {
        let path = try loader.resolve("row-audit", searchPath: ["/nonexistent", BuildProducts.directory], relativeTo: "/")
        #expect(path == BuildProducts.plugin("sluice-row-audit"))
        let error = #expect(throws: PluginLoadError.self) {
            try loader.resolve("nope", searchPath: ["/a", "/b"], relativeTo: "/")
        }
        #expect(error?.description.contains("plugin 'nope' not found") == true)
    }
}
