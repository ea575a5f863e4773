import SluiceConfig
import SluiceLedger
import SluicePluginHost
import SluiceSystem

/// Every pipeline's stages resolved to loaded plugins. Built before any drop
/// is claimed, so a missing or broken plugin stops `serve` with a clear error
/// instead of quarantining good data.
public struct StageCatalog: Sendable {
    /// A configured stage and the plugin that runs it.
    public struct ResolvedStage: Sendable {
        public let configuration: StageConfiguration
        public let plugin: LoadedPlugin

        public var identity: PluginIdentity {
            PluginIdentity(name: plugin.name, version: plugin.version, path: plugin.path, sha256: plugin.sha256)
        }
    }

    public let stages: [String: [ResolvedStage]]
    /// Folders searched, in order.
    public let searchPath: [String]

    /// Resolves and loads every stage of every pipeline (or only of `only`).
    /// - Throws: ``StageCatalogError`` naming the pipeline, stage, config line and load error.
    public init(configuration: SluiceConfiguration, loader: PluginLoader, only: String? = nil) throws {
        let searchPath = Self.searchPath(configuration)
        let trust = PluginTrust(searchPath: searchPath)
        let base = FileSystem.directory(of: configuration.file)
        var stages: [String: [ResolvedStage]] = [:]
        for pipeline in configuration.pipelines where only == nil || pipeline.name == only {
            stages[pipeline.name] = try pipeline.stages.map { stage in
                do {
                    let path = try loader.resolve(stage.plugin, searchPath: searchPath, relativeTo: base)
                    _ = try trust.check(path)
                    return ResolvedStage(configuration: stage, plugin: try loader.load(path: path))
                } catch {
                    var text = "\(error)"
                    if case .notFound? = error as? PluginLoadError, let note = PluginLoader.environmentNote,
                       !configuration.allowPluginPathEnvironment {
                        text += " (\(note))"
                    }
                    throw StageCatalogError(file: configuration.file, line: stage.line, pipeline: pipeline.name,
                                            stage: stage.name, underlying: text)
                }
            }
        }
        self.stages = stages
        self.searchPath = searchPath
    }

    /// The folders a configuration's plugins load from, in order: its
    /// `plugin_path`, then the built-in ones (`$SLUICE_PLUGIN_PATH` only
    /// outside a service, or where the config allows it).
    public static func searchPath(_ configuration: SluiceConfiguration,
                                  asService: Bool = PluginLoader.runningAsService) -> [String] {
        configuration.pluginPath + PluginLoader.defaultSearchPath(
            environment: !asService || configuration.allowPluginPathEnvironment)
    }
}

/// A stage whose plugin could not be resolved or loaded.
public struct StageCatalogError: Error, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let pipeline: String
    public let stage: String
    public let underlying: String

    public var description: String {
        "\(file):\(line): pipeline '\(pipeline)', stage '\(stage)': \(underlying)"
    }
}
