import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The plugin authors' kit as a new author meets it: `make install-sdk` into a
/// scratch DESTDIR, `sluice plugins new` into a scratch folder, the project's
/// own build (cc + pkg-config, or swift build against the staged SDK), then
/// `sluice plugins check` on the .so it made — and a scaffolded stage running
/// in a real pipeline.
@Suite(.serialized) struct PluginKitTests {
    /// The sluice repository (the folder with the Makefile above the build folder).
    static let repository: String = {
        var folder = BuildProducts.directory
        while folder != "/", !FileSystem.isRegularFile(folder + "/Makefile") { folder = FileSystem.directory(of: folder) }
        return folder
    }()

    /// A scratch DESTDIR with the SDK installed as `make install-sdk` stages it.
    static func stagedSDK(_ directory: TemporaryDirectory) throws -> String {
        let stage = directory.url("stage")
        let make = try Command.run("/usr/bin/make", ["-s", "-C", repository, "install-sdk", "DESTDIR=\(stage)", "PREFIX=/usr/local"])
        #expect(make.status == 0, "\(make.output)")
        for file in ["include/sluice/sluice_plugin.h", "share/pkgconfig/sluice-plugin.pc",
                     "share/sluice/sluice-plugin-sdk/Package.swift",
                     "share/sluice/sluice-plugin-sdk/Sources/SluicePluginSDK/Stage.swift"] {
            #expect(FileSystem.isRegularFile(stage + "/usr/local/" + file), "\(file) not installed")
        }
        return stage
    }

    static func pkgConfig(_ stage: String) -> [String: String] {
        ["PKG_CONFIG_PATH": stage + "/usr/local/share/pkgconfig", "PKG_CONFIG_SYSROOT_DIR": stage]
    }

    @Test(arguments: ["custom", "validate", "features", "train", "evaluate"])
    func aScaffoldedCPluginBuildsWithPkgConfigAndPassesCheck(kind: String) throws {
        let directory = TemporaryDirectory("sluice-kit")
        let stage = try Self.stagedSDK(directory)
        let project = directory.url("src/demo-\(kind)")
        let made = try Command.sluice(["plugins", "new", "demo-\(kind)", "--lang", "c", "--kind", kind, "--output", project])
        #expect(made.status == 0, "\(made.output)")
        #expect(made.stdout.contains("Makefile"))
        let build = try Command.run("/usr/bin/make", ["-C", project], environment: Self.pkgConfig(stage))
        #expect(build.status == 0, "\(build.output)")
        #expect(build.stdout.contains("-I\(stage)/usr/local/include/sluice"), "\(build.stdout)")
        // The project's own test: `make test` = sluice plugins check ./demo-KIND.so.
        let check = try Command.run("/usr/bin/make", ["-C", project, "test", "SLUICE=\(BuildProducts.sluice)"],
                                    environment: Self.pkgConfig(stage))
        #expect(check.status == 0, "\(check.output)")
        #expect(check.stdout.contains("plugin    demo-\(kind) 0.1.0 (\(kind))"), "\(check.stdout)")
        #expect(check.stdout.contains("✓ passed"), "\(check.stdout)")
        if kind == "features" { #expect(check.stdout.contains("apply     ok on 80 holdout rows"), "\(check.stdout)") }
        if kind == "train" { #expect(check.stdout.contains("model     model.json ok: binary, 0 features"), "\(check.stdout)") }
    }

    @Test(arguments: ["custom", "validate", "features", "train", "evaluate"])
    func aScaffoldedSwiftPluginBuildsAgainstTheInstalledSDKAndPassesCheck(kind: String) throws {
        let directory = TemporaryDirectory("sluice-kit")
        let stage = try Self.stagedSDK(directory)
        let project = directory.url("src/swift-\(kind)")
        let made = try Command.sluice(["plugins", "new", "swift-\(kind)", "--lang", "swift", "--kind", kind,
                                       "--sdk", stage + "/usr/local/share/sluice/sluice-plugin-sdk", "--output", project])
        #expect(made.status == 0, "\(made.output)")
        // The toolchain that runs these tests, from PATH.
        let build = try Command.run("/usr/bin/env", ["swift", "build", "--build-tests"], in: project)
        #expect(build.status == 0, "\(build.output)")
        let tests = try Command.run("/usr/bin/env", ["swift", "test", "--skip-build"], in: project)
        #expect(tests.status == 0, "\(tests.output)")
        #expect(tests.output.contains("passed"), "\(tests.output)")
        let check = try Command.sluice(["plugins", "check", project + "/.build/debug/libswift-\(kind).so"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.stdout.contains("✓ passed"), "\(check.stdout)")
        if kind == "features" { #expect(check.stdout.contains("with apply"), "\(check.stdout)") }
    }

    @Test func aScaffoldedFeaturesStageRunsInAPipelineAndIsReappliedByPredict() throws {
        let directory = TemporaryDirectory("sluice-kit")
        let stage = try Self.stagedSDK(directory)
        let project = directory.url("src/gap-flags")
        #expect(try Command.sluice(["plugins", "new", "gap-flags", "--lang", "c", "--kind", "features", "--output", project])
            .status == 0)
        let plugins = directory.url("plugins")
        let install = try Command.run("/usr/bin/make", ["-C", project, "install", "PLUGINDIR=\(plugins)"],
                                      environment: Self.pkgConfig(stage))
        #expect(install.status == 0, "\(install.output)")
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: gap-flags
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
            """)
        let config = try FileSystem.readText(space.config)
        try space.writeConfig(config.replacingOccurrences(of: "plugin_path: [", with: "plugin_path: [\(plugins), "))
        // Gaps in calls on some rows, so the stage adds calls_missing.
        let csv = ChurnData.csv(rows: 900, seed: 41).replacingOccurrences(of: ",1,0,", with: ",1,,")
        try space.drop("day.csv", csv)
        let run = try space.serve()
        #expect(run.status == 0, "\(run.output)")
        #expect(try space.double("SELECT value FROM metrics WHERE name = 'indicators'") == 1)
        let input = try space.directory.write("score/new.csv", ChurnData.header + "\n12,50,,5,basic,north,no\n12,50,2,5,basic,north,no\n")
        let predicted = try Command.sluice(["predict", "--model", space.root + "/outbox/churn/current.tar.gz", input,
                                            "--plugin-path", plugins])
        #expect(predicted.status == 0, "\(predicted.output)")
        #expect(predicted.stdout.split(separator: "\n").count == 3, "\(predicted.stdout)")
    }

    @Test func checkReportsAFailureACrashAndAHangWithTheReason() throws {
        let misbehave = BuildProducts.plugin("sluice-fixture-misbehave")
        let failed = try Command.sluice(["plugins", "check", misbehave, "--params", "mode=fail"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("✗ failed: misbehave: failing on purpose"), "\(failed.stdout)")
        let crashed = try Command.sluice(["plugins", "check", misbehave, "--params", "mode=segfault"],
                                         environment: ["SWIFT_BACKTRACE": "enable=no"])
        #expect(crashed.status == 1)
        #expect(crashed.stdout.contains("✗ crashed: killed by signal 11"), "\(crashed.stdout)")
        let hung = try Command.sluice(["plugins", "check", misbehave, "--params", "mode=hang", "--timeout", "1"])
        #expect(hung.status == 1)
        #expect(hung.stdout.contains("✗ hung: still running after 1 s (--timeout); killed"), "\(hung.stdout)")
        let refused = try Command.sluice(["plugins", "check", BuildProducts.plugin("sluice-fixture-wrong-abi")])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("incompatible plugin ABI version 99"), "\(refused.stdout)")
        // JSON for tools: the whole report, and passed false.
        let json = try Command.sluice(["plugins", "check", misbehave, "--params", "mode=fail", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["passed"] as? Bool == false)
        #expect((object["report"] as? [String: Any])?["status"] as? String == "failed: misbehave: failing on purpose")
    }

    @Test func listShowsIdentityStatusAndUseAndNoFixturesOnceInstalled() throws {
        let space = try Workspace(stages: """
                  - plugin: validate
                  - plugin: drop-duplicates
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
            """)
        let listed = try Command.sluice(["plugins", "list", "--config", space.config, "--format", "json"])
        #expect(listed.status == 0, "\(listed.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let plugins = try #require(object["plugins"] as? [[String: Any]])
        let dedup = try #require(plugins.first { $0["name"] as? String == "drop-duplicates" })
        #expect(dedup["status"] as? String == "ok")
        #expect((dedup["sha256"] as? String)?.count == 64)
        #expect(dedup["abi_version"] as? Int == 1)
        #expect(dedup["used_by"] as? [String] == ["churn/drop-duplicates"])
        #expect(plugins.first { $0["name"] as? String == "clip-outliers" }?["applies"] as? Bool == true)
        // A file that does not load is listed with the exact error.
        let broken = try #require(plugins.first { ($0["file"] as? String)?.hasSuffix("libsluice-fixture-wrong-abi.so") == true })
        #expect((broken["error"] as? String)?.contains("incompatible plugin ABI version 99") == true)

        // Installed (`make install` layout: bin/ and lib/sluice/plugins/), only the shipped plugins are listed.
        let directory = TemporaryDirectory("sluice-kit")
        let prefix = directory.url("usr")
        try FileSystem.createDirectory(prefix + "/bin")
        try FileSystem.createDirectory(prefix + "/lib/sluice/plugins")
        try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.sluice), to: prefix + "/bin/sluice", mode: 0o755)
        for name in ["validate", "features", "train", "evaluate", "row-audit", "clip-outliers", "drop-duplicates"] {
            try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.plugin("sluice-\(name)")),
                                           to: prefix + "/lib/sluice/plugins/\(name).so", mode: 0o755)
        }
        let installed = try Command.run(prefix + "/bin/sluice", ["plugins", "list"], environment: ["SLUICE_PLUGIN_PATH": ""])
        #expect(installed.status == 0, "\(installed.output)")
        #expect(!installed.stdout.contains("fixture"), "\(installed.stdout)")
        #expect(installed.stdout.contains("drop-duplicates 1.0.0 (custom)"), "\(installed.stdout)")
        #expect(installed.stdout.contains("clip-outliers 1.0.0 (features, applies)"), "\(installed.stdout)")
    }
}
