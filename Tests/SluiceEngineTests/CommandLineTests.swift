import SluiceTestSupport
import Testing

/// What the `sluice` command says when it is used wrongly.
@Suite struct CommandLineTests {
    @Test func aBrokenConfigStopsServeWithFileLineAndKey() throws {
        let directory = TemporaryDirectory()
        let config = try directory.write("sluice.yaml", "pipelines:\n  churn:\n    target: y\n    stagez: []\n")
        let result = try Command.sluice(["serve", "--once", "--config", config])
        #expect(result.status != 0)
        #expect(result.output.contains("\(config):4:5: pipelines.churn.stagez: unknown key 'stagez' (did you mean 'stages'?)"))
    }

    @Test func aMissingPluginStopsServeBeforeClaimingAnything() throws {
        let directory = TemporaryDirectory()
        let config = try directory.write("sluice.yaml", """
            state_dir: .
            pipelines:
              churn:
                target: churned
                stages:
                  - plugin: validate
                  - plugin: no-such-plugin
            """)
        try directory.write("inbox/churn/day.csv", ChurnData.csv(rows: 50, seed: 1))
        let result = try Command.sluice(["serve", "--once", "--config", config])
        #expect(result.status == 1)
        #expect(result.output.contains("sluice.yaml:7: pipeline 'churn', stage 'no-such-plugin': plugin 'no-such-plugin' not found"))
        // The drop was not touched.
        #expect(FileSystem_exists(directory.url("inbox/churn/day.csv")))
    }

    @Test func aMissingConfigIsNamed() throws {
        let result = try Command.sluice(["serve", "--config", "/nonexistent/sluice.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("open(/nonexistent/sluice.yaml): No such file or directory"))
    }

    @Test func underSystemdLogLinesCarrySyslogPriorities() throws {
        let space = try Workspace(promotion: "min: {auc: 0.999}")
        try space.drop("day.csv", ChurnData.csv(rows: 300, seed: 3))
        let result = try Command.run(BuildProducts.sluice, ["serve", "--once", "--config", space.config],
                                     environment: ["JOURNAL_STREAM": "8:1234"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("<") })
        #expect(lines.contains { $0.hasPrefix("<6>[churn run 1 day.csv] claimed day.csv") })
        #expect(lines.contains { $0.hasPrefix("<4>[churn run 1 day.csv] decision   rejected") })
    }

    @Test func helpTeachesTheMainCommands() throws {
        let result = try Command.sluice(["--help"])
        #expect(result.status == 0)
        for word in ["serve", "report", "check", "plugins", "inbox", "outbox", "ledger"] {
            #expect(result.stdout.contains(word), "help lacks \(word)")
        }
    }

    @Test func pluginsChecksAFileAndSaysWhatIsWrong() throws {
        let good = try Command.sluice(["plugins", BuildProducts.plugin("sluice-train")])
        #expect(good.status == 0)
        #expect(good.stdout.contains("train 2.0.0 (train)"))
        let bad = try Command.sluice(["plugins", BuildProducts.plugin("sluice-fixture-wrong-abi")])
        #expect(bad.status != 0)
        #expect(bad.stdout.contains("incompatible plugin ABI version 99"))
    }
}

import SluiceSystem

func FileSystem_exists(_ path: String) -> Bool { FileSystem.exists(path) }
