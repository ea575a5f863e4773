import ArgumentParser
import SluiceArchive
import SluiceData
import SluicePredict
import SluiceSystem

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a data file with a published model archive.",
        discussion: """
        Reads model.json and transform.json from the archive (e.g. \
        outbox/churn/current.tar.gz), applies the training transform to each row of the \
        input (CSV/TSV, optionally gzip'd; the target column may be absent) and writes one \
        line per row: `row,p_<positive class>,predicted`. Probabilities are printed in \
        full (they round-trip to the same Double). A row gets exactly the probability the \
        evaluate stage gave it.

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

    @Option(help: "Probability at or above which a row is predicted as the positive class.")
    var threshold: Double = 0.5

    func validate() throws {
        guard threshold >= 0 && threshold <= 1 else { throw ValidationError("--threshold must be between 0 and 1") }
    }

    func run() throws {
        do {
            let bundle = try ModelBundle.load(model)
            let drop = try DropFile.read(input)
            let probabilities = try Predictor.probabilities(bundle, table: drop.table)
            let classes = bundle.model.classes
            var text = "row,p_\(classes[1]),predicted\n"
            text.reserveCapacity(probabilities.count * 32)
            for (row, p) in probabilities.enumerated() {
                text += "\(row + 1),\(p),\(p >= threshold ? classes[1] : classes[0])\n"
            }
            if let output {
                try FileSystem.writeAtomically(text, to: output)
            } else {
                FileSystem.writeStandardOutput(text)
            }
            FileSystem.writeStandardError("scored \(probabilities.count) rows of \(FileSystem.baseName(input)) with \(bundle.pipeline) v\(bundle.version) (\(FileSystem.baseName(model)))\n")
        } catch {
            throw Failure("\(error)")
        }
    }
}
