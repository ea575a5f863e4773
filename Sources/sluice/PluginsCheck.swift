import ArgumentParser
import Foundation
import SluiceDaemon
import SluiceData
import SluicePluginHost
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

struct PluginsCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run one stage plugin on a small table, in a child process, and show what it did.",
        discussion: """
        Loads FILE exactly as a worker does — in a child process, with memory, CPU and open-file \
        limits set before the plugin loads, after the same trust checks — and runs its stage on a \
        built-in table of \(CheckTable.rows + 1) seeded rows (missing values, an outlier and a \
        repeated row included) or on --data. A train stage runs after the stock features stage, \
        an evaluate stage after features and train, as in a pipeline. Then prints: the columns \
        added, replaced and removed, rows removed, metrics, artifacts (name, size), the verdict, \
        every log and progress line, and the time taken. A stage with an apply entry is also run \
        through apply on the holdout rows, which must give exactly what run gave them.

        Exit status: 0 when the stage succeeded (and apply agreed); 1 when it failed, crashed, \
        ran past --timeout (then it is killed) or apply disagreed; 2 for a usage error.

        Examples:
          sluice plugins check ./my-stage.so
          sluice plugins check ./my-stage.so --params threshold=0.3 --params columns=a,b
          sluice plugins check ./my-stage.so --data day.csv --task multiclass --target segment
        """
    )

    enum Task: String, ExpressibleByArgument, CaseIterable { case binary, multiclass, regression }
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: ArgumentHelp("The plugin (.so) to check.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Run on this CSV/TSV (optionally gzip'd) instead of the built-in table; needs --target.",
                               valueName: "file"))
    var data: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Stage parameters, as a pipeline's params: would set them.",
                                                         valueName: "key=value"))
    var params: [String] = []

    @Option(help: "The pipeline task the stage sees (and the built-in table's target).")
    var task: Task = .binary

    @Option(help: ArgumentHelp("The target column (default for the built-in table: churned, segment or spend).",
                               valueName: "column"))
    var target: String?

    @Option(help: "Seconds the child may run before it is killed.")
    var timeout: Double = 60

    @Option(name: .customLong("memory-mb"), help: "RLIMIT_AS of the child, in MiB.")
    var memoryMB: Int = 4096

    @Option(help: "text or json (the report as one JSON object).")
    var format: Format = .text

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        if data != nil, target == nil { throw ValidationError("--data needs --target COLUMN") }
    }

    func run() throws {
        let path = FileSystem.absolute(file)
        guard FileSystem.exists(path) else { throw Failure("plugin \(path): no such file") }
        var arguments = ["plugins", "probe", path, "--task", task.rawValue, "--memory-mb", String(memoryMB)]
        if let data { arguments += ["--data", FileSystem.absolute(data)] }
        if let target { arguments += ["--target", target] }
        for pair in params { arguments += ["--param", pair] }
        let started = Timestamp.monotonic()
        var view = CheckView(json: format == .json)
        let outcome = try ProbeRunner.run(executable: FileSystem.symlinkTarget("/proc/self/exe") ?? CommandLine.arguments[0],
                                          arguments: arguments, timeout: timeout) { line in view.take(line) }
        let seconds = Timestamp.monotonic() - started
        let passed = view.finish(outcome: outcome, seconds: seconds, timeout: timeout)
        if !passed { throw ExitCode.failure }
    }
}
