import ArgumentParser
import SluiceArchive
import SluiceData
import SluicePluginHost
import SluicePredict
import SluiceSystem

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a data file with a published model archive.",
        discussion: """
        Reads model.json and transform.json from the archive (e.g. \
        outbox/churn/current.tar.gz), applies the training transform to each row of the \
        input (CSV/TSV, optionally gzip'd; the target column may be absent) and writes one \
        line per row, with a header naming the columns:
          binary      row,p_<positive class>,predicted   (p ≥ --threshold)
          multiclass  row,p_<class>…,predicted           (the most probable)
          regression  row,predicted
        Numbers are printed in full (they round-trip to the same Double). A row gets \
        exactly the score the evaluate stage gave it. A stage plugin that re-applies what it \
        fitted (an apply entry, e.g. clip-outliers) is loaded from the plugin search path by the \
        SHA-256 the manifest recorded, and a file with other bytes is refused.

        Example:
          sluice predict --model outbox/churn/current.tar.gz new-customers.csv --output scores.csv
        """
    )

    @Option(help: ArgumentHelp("The model archive (.tar.gz) from an outbox.", valueName: "archive"))
    var model: String

    @Argument(help: ArgumentHelp("The data file to score.", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("Write here (atomically) instead of to stdout.", valueName: "file"))
    var output: String?

    @Option(help: "Binary models: probability at or above which a row is predicted as the positive class.")
    var threshold: Double = 0.5

    @Option(name: .customLong("plugin-path"), parsing: .singleValue,
            help: ArgumentHelp("""
                A folder searched (before the default ones) for the plugins of stages that re-apply what \
                they fitted (see docs/plugins.md, apply); the file must have the SHA-256 the manifest recorded. \
                Repeatable.
                """, valueName: "folder"))
    var pluginPath: [String] = []

    func validate() throws {
        guard threshold >= 0 && threshold <= 1 else { throw ValidationError("--threshold must be between 0 and 1") }
    }

    func run() throws {
        do {
            let bundle = try ModelBundle.load(self.model)
            let drop = try DropReader.read(input)
            let searchPath = pluginPath.map(FileSystem.absolute) + PluginLoader.defaultSearchPath()
            let scores = try Predictor.scores(bundle, table: drop.table, searchPath: searchPath)
            let model = bundle.model
            let width = model.width
            let rows = scores.count / max(width, 1)
            let classes = model.classes
            var text: String
            switch model.link {
            case "logistic":
                text = "row,p_\(classes[1]),predicted\n"
                for (row, p) in scores.enumerated() {
                    text += "\(row + 1),\(p),\(PredictionRow.predicted(model, scores[row...row], threshold: threshold))\n"
                }
            case "softmax":
                text = "row," + classes.map { "p_\($0)" }.joined(separator: ",") + ",predicted\n"
                for row in 0..<rows {
                    let p = scores[(row * width)..<((row + 1) * width)]
                    text += "\(row + 1)," + p.map { "\($0)" }.joined(separator: ",") + ",\(PredictionRow.predicted(model, p))\n"
                }
            default:
                text = "row,predicted\n"
                for (row, value) in scores.enumerated() { text += "\(row + 1),\(value)\n" }
            }
            if let output {
                try FileSystem.writeAtomically(text, to: output)
            } else {
                FileSystem.writeStandardOutput(text)
            }
            FileSystem.writeStandardError("scored \(rows) rows of \(FileSystem.baseName(input)) with \(bundle.pipeline) v\(bundle.version) (\(FileSystem.baseName(self.model)))\n")
        } catch {
            throw Failure("\(error)")
        }
    }
}
