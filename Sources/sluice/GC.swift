import ArgumentParser
import SluiceEngine
import SluiceLedger
import SluiceSystem

struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Apply each pipeline's retention: delete archives and archived drops it no longer keeps.",
        discussion: """
        With `retention: {keep_last: N, keep_days: D, rejected_days: R}` on a pipeline, deletes \
        published archives that are not the champion, not among the newest N, not among the first \
        N versions a chain of `sluice rollback` would reach, and not younger than D days; rejected \
        candidates older than R days; and archived drops that no kept model trained on (windows \
        included), that the next run's window would not use and that are not younger than D days. \
        Each deleted file's ledger row stays, marked deleted with time and reason, so `sluice \
        history` and `sluice lineage` still answer for it. A pipeline without retention keeps \
        everything. The daemon's runs do this after each publication; this command does it now.
        """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Only this pipeline.", valueName: "name"))
    var pipeline: String?

    @Flag(help: "Say what would be deleted, and delete nothing.")
    var dryRun = false

    func run() throws {
        let logger = options.makeLogger()
        let configuration = try options.load()
        if let pipeline, configuration.pipeline(named: pipeline) == nil {
            throw Failure("no pipeline named '\(pipeline)' in \(configuration.file); it has: "
                          + configuration.pipelines.map(\.name).joined(separator: ", "))
        }
        let ledger = try options.existingLedger(configuration, "nothing has been processed")
        let retention = Retention(configuration: configuration, ledger: ledger, logger: logger)
        var out = ""
        for pipeline in configuration.pipelines where self.pipeline == nil || pipeline.name == self.pipeline {
            let deletions = dryRun ? try retention.plan(pipeline) : try retention.run(pipeline)
            let verb = dryRun ? "would delete" : "deleted"
            out += "\(pipeline.name): \(deletions.isEmpty ? "nothing to delete" : "\(verb) \(deletions.count) file\(deletions.count == 1 ? "" : "s")")"
                + (pipeline.retention.limitsVersions || pipeline.retention.rejectedDays != nil ? "" : " (no retention: configured)") + "\n"
            for deletion in deletions {
                let what: String = switch deletion.kind {
                case .version(let version): "v\(version)"
                case .rejected(let runKey): "rejected candidate of \(runKey)"
                case .drop(let name): "drop \(name)"
                }
                out += "  \(what): \(deletion.path)\n"
            }
        }
        FileSystem.writeStandardOutput(out)
    }
}
