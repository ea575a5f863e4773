import SluiceConfig
import SluiceEngine
import SluicePluginHost
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A config's plugins load only from its search path, from files nobody else
/// could have written; in a service, `$SLUICE_PLUGIN_PATH` counts only where
/// the config allows it.
@Suite struct PluginSearchPathTests {
    @Test func aStagePluginOutsideTheSearchPathIsRefusedWithItsLine() throws {
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: ./elsewhere/audit.so
            """)
        try FileSystem.createDirectory(space.root + "/elsewhere")
        try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.plugin("sluice-row-audit")),
                                       to: space.root + "/elsewhere/audit.so", mode: 0o755)
        let check = try Command.sluice(["check", "--config", space.config])
        #expect(check.status != 0)
        #expect(check.stderr.contains("sluice.yaml:"), "\(check.stderr)")
        #expect(check.stderr.contains("pipeline 'churn', stage 'audit': plugin \(space.root)/elsewhere/audit.so: refused:"),
                "\(check.stderr)")
        #expect(check.stderr.contains("\(space.root)/elsewhere/audit.so is outside the plugin search path"), "\(check.stderr)")
        // Once its folder is on plugin_path it loads.
        let config = try FileSystem.readText(space.config)
        try space.writeConfig(config.replacingOccurrences(of: "plugin_path: [", with: "plugin_path: [elsewhere, "))
        #expect(try Command.sluice(["check", "--config", space.config]).status == 0)
    }

    @Test func aWorldWritablePluginStopsServeBeforeAnyDropIsClaimed() throws {
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: audit
            """)
        let folder = space.root + "/plugins"
        try FileSystem.createDirectory(folder)
        try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.plugin("sluice-row-audit")),
                                       to: folder + "/audit.so", mode: 0o755)
        chmod(folder, 0o777)
        let config = try FileSystem.readText(space.config)
        try space.writeConfig(config.replacingOccurrences(of: "plugin_path: [", with: "plugin_path: [plugins, "))
        try space.drop("day.csv", ChurnData.csv(rows: 200, seed: 3))
        let serve = try space.serve()
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("refused: folder \(folder) is world-writable"), "\(serve.stderr)")
        #expect(serve.stderr.contains("mode 0777"), "\(serve.stderr)")
        #expect(space.files("inbox/churn") == ["day.csv"], "the drop stays where it was")
    }

    @Test func inAServiceTheEnvironmentPathCountsOnlyWhereTheConfigAllowsIt() throws {
        setenv("SLUICE_PLUGIN_PATH", "/nonexistent/sluice-env-plugins", 1)
        defer { unsetenv("SLUICE_PLUGIN_PATH") }
        let strict = try ConfigLoader.parse("pipelines: {p: {target: y, stages: [{plugin: validate}]}}", file: "/etc/sluice/a.yaml")
        #expect(!StageCatalog.searchPath(strict, asService: true).contains("/nonexistent/sluice-env-plugins"))
        #expect(StageCatalog.searchPath(strict, asService: false).contains("/nonexistent/sluice-env-plugins"))
        let allowing = try ConfigLoader.parse("allow_plugin_path_env: true\npipelines: {p: {target: y, stages: [{plugin: validate}]}}",
                                              file: "/etc/sluice/b.yaml")
        #expect(StageCatalog.searchPath(allowing, asService: true).contains("/nonexistent/sluice-env-plugins"))
        let typo = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("allow_plugin_path_env: sometimes\npipelines: {p: {target: y}}", file: "/etc/sluice/c.yaml")
        }
        #expect(typo?.description.contains("allow_plugin_path_env: expected true or false") == true, "\(String(describing: typo))")
    }
}
