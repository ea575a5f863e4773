import ArgumentParser
import SluiceEngine
import SluicePluginHost
import SluiceSystem

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a configuration and load every plugin it names, without touching any drop.",
        discussion: "Exit status 0 when everything loads; otherwise the first problem, with file and line."
    )

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let configuration = try options.load()
        let catalog: StageCatalog
        do {
            catalog = try StageCatalog(configuration: configuration, loader: PluginLoader(cachingHashesIn: configuration.stateDirectory))
        } catch {
            throw Failure("\(error)")
        }
        var out = "\(configuration.file): ok\n  state folder: \(configuration.stateDirectory)\n"
        for pipeline in configuration.pipelines {
            out += "  pipeline \(pipeline.name): \(pipeline.task.rawValue), target '\(pipeline.target)', "
                + "seed \(pipeline.seed), holdout \(pipeline.holdoutFraction)\n"
            out += "    inbox: \(pipeline.inbox)\n"
            for stage in catalog.stages[pipeline.name] ?? [] {
                out += "    stage \(stage.configuration.name): \(stage.plugin.name) \(stage.plugin.version) "
                    + "(\(stage.plugin.kind)) from \(stage.plugin.path)\n"
            }
            for rule in pipeline.promotion.rules {
                out += "    promote when \(rule.metric) \(rule.bound == .min ? "≥" : "≤") \(rule.threshold)\n"
            }
        }
        FileSystem.writeStandardOutput(out)
    }
}
