import SluiceConfig
import SluiceTestSupport
import Testing

@Suite struct ConfigLoaderTests {
    let valid = """
    state_dir: state
    pipelines:
      churn:
        target: churned
        seed: 7
        stages:
          - plugin: validate
            params: {min_rows: 10}
          - plugin: ./custom/thing.so
            name: thing
        promotion:
          min: {auc: 0.8}
          max: {logloss: 0.5}
    """

    @Test func aValidConfigResolvesPathsAgainstItsFolder() throws {
        let config = try ConfigLoader.parse(valid, file: "/etc/x/sluice.yaml")
        #expect(config.stateDirectory == "/etc/x/state")
        #expect(config.ledgerPath == "/etc/x/state/ledger.sqlite")
        let churn = try #require(config.pipeline(named: "churn"))
        #expect(churn.inbox == "/etc/x/state/inbox/churn")
        #expect(churn.seed == 7)
        #expect(churn.holdoutFraction == 0.2)
        #expect(churn.stages.map(\.name) == ["validate", "thing"])
        #expect(churn.stages[0].params == ["min_rows": "10"])
        #expect(churn.stages[0].line == 7)
        #expect(churn.promotion.asParams == ["min.auc": "0.8", "max.logloss": "0.5", "first_run": "approve"])
    }

    @Test func anUnknownKeyNamesFileLineAndKey() throws {
        let text = valid.replacingOccurrences(of: "seed: 7", with: "sede: 7")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "/etc/x/sluice.yaml") }
        #expect(error?.file == "/etc/x/sluice.yaml")
        #expect(error?.line == 5)
        #expect(error?.keyPath == "pipelines.churn.sede")
        #expect(error?.description.contains("unknown key 'sede' (did you mean 'seed'?)") == true)
    }

    @Test func aWrongTypeNamesFileLineAndKey() throws {
        let text = valid.replacingOccurrences(of: "seed: 7", with: "seed: [1, 2]")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "c.yaml") }
        #expect(error?.line == 5)
        #expect(error?.keyPath == "pipelines.churn.seed")
        #expect(error?.description == "c.yaml:5:11: pipelines.churn.seed: expected a non-negative integer, found a list")
    }

    @Test func aNonNumericThresholdIsAnError() throws {
        let text = valid.replacingOccurrences(of: "auc: 0.8", with: "auc: high")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "c.yaml") }
        #expect(error?.keyPath == "pipelines.churn.promotion.min.auc")
        #expect(error?.description.contains("expected a number, found 'high'") == true)
    }

    @Test func missingRequiredKeysAreNamed() throws {
        let noTarget = valid.replacingOccurrences(of: "    target: churned\n", with: "")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(noTarget, file: "c.yaml") }
        #expect(error?.description.contains("missing required key 'target'") == true)
        let noPipelines = "state_dir: x\n"
        let other = #expect(throws: ConfigError.self) { try ConfigLoader.parse(noPipelines, file: "c.yaml") }
        #expect(other?.description.contains("missing required key 'pipelines'") == true)
    }

    @Test func yamlSyntaxErrorsHaveALine() throws {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("pipelines:\n  churn: [unclosed\n", file: "c.yaml")
        }
        #expect(error?.line != nil)
        #expect(error?.description.contains("YAML syntax") == true)
    }

    @Test func holdoutMustBeAFraction() throws {
        let text = valid.replacingOccurrences(of: "seed: 7", with: "seed: 7\n    holdout: 1.5")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "c.yaml") }
        #expect(error?.keyPath == "pipelines.churn.holdout")
    }

    @Test func theShippedExampleLoads() throws {
        let root = FileSystem_packageRoot()
        let config = try ConfigLoader.load(root + "/inbox-example/sluice.yaml")
        #expect(config.pipelines.map(\.name) == ["churn"])
        #expect(config.pipelines[0].stages.map(\.plugin) == ["validate", "features", "train", "evaluate"])
    }
}

/// The package root, found from this source file's location.
func FileSystem_packageRoot(file: String = #filePath) -> String {
    var path = file
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path
}
