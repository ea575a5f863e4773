import ArgumentParser
import SluiceEngine

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A drop-folder MLOps daemon: drop a data file in, get a model archive out.",
        discussion: """
        A file dropped into a pipeline's inbox is claimed, read, validated, turned into \
        features, used to train a model, and evaluated against the pipeline's promotion \
        rules. An approved model is published as outbox/<pipeline>/<pipeline>-v<N>.tar.gz \
        (current.tar.gz points at the newest). Every step is recorded in the SQLite ledger \
        that `sluice report` reads.

        Start with:
          sluice check  --config inbox-example/sluice.yaml
          sluice serve  --config inbox-example/sluice.yaml --once
          sluice report --config inbox-example/sluice.yaml
          sluice predict --model outbox/churn/current.tar.gz new.csv
          sluice history churn --config inbox-example/sluice.yaml
          sluice rollback churn --reason "why" --config inbox-example/sluice.yaml
        """,
        version: SluiceVersion.current,
        subcommands: [Serve.self, Report.self, History.self, RollbackCommand.self, PromoteCommand.self, LineageCommand.self, Verify.self, Keygen.self, GC.self, Check.self, Inspect.self, Plugins.self,
                      Predict.self, LedgerCommand.self, Work.self]
    )
}
