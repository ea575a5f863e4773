import SluiceData
import SluiceFormats
import SluicePluginHost
import SluiceSystem

/// Re-applies what a model's plugin stages fitted (their `apply` entry) to
/// new rows, before the stock feature transform: the model then scores the
/// features it was trained on, wherever it scores — `sluice predict`, the
/// champion re-score before the gate, scoring drops, the monitor.
///
/// The plugin run is the one the manifest names: its file is looked up by
/// name in the search path and must have the recorded SHA-256 — a file with
/// other bytes is refused, never run on the model's data.
public enum FittedStages {
    /// One loader for the process: plugins are loaded once and never unloaded.
    static let loader = PluginLoader()

    /// `table` after every applying stage of `bundle`, in run order; the table
    /// itself when there are none.
    /// - Throws: ``PredictError`` naming the archive, stage and plugin.
    public static func apply(_ bundle: ModelBundle, to table: Table, searchPath: [String]) throws -> Table {
        let stages = bundle.applyingStages
        guard !stages.isEmpty else { return table }
        var settings = ["pipeline": bundle.pipeline, "model_version": String(bundle.version)]
        settings["task"] = bundle.task
        settings["target"] = bundle.target
        // Every row is new: none was fitted on.
        let host = StageHost(table: table, roles: [UInt8](repeating: 1, count: table.rowCount),
                             settings: settings)
        for (name, bytes) in bundle.members.sorted(by: { $0.key < $1.key }) { host.putArtifact(name, bytes) }
        for stage in stages {
            let what = "stage \(stage.stage) (plugin \(stage.name) \(stage.version), \(stage.file))"
            let plugin: LoadedPlugin
            do { plugin = try locate(stage, searchPath: searchPath) } catch {
                throw PredictError("\(bundle.path): \(what) must re-apply what it fitted, but: \(error)")
            }
            guard plugin.applies else {
                throw PredictError("\(bundle.path): \(what) was recorded with an apply entry, but \(plugin.path) has none")
            }
            if case .failed(let message) = host.apply(plugin, params: stage.params, observer: nil).status {
                throw PredictError("\(bundle.path): \(what) failed to re-apply what it fitted: \(message)")
            }
        }
        return host.table
    }

    /// The plugin file the manifest recorded: `file` in a search-path folder
    /// with the recorded SHA-256 (hashed before it is loaded).
    static func locate(_ stage: Manifest.Plugin, searchPath: [String]) throws -> LoadedPlugin {
        var mismatch: PluginLoadError?
        for folder in searchPath {
            let path = folder + "/" + stage.file
            guard FileSystem.isRegularFile(path) else { continue }
            let found = try ContentHash.sha256(file: path)
            guard found == stage.sha256 else {
                mismatch = mismatch ?? .hashMismatch(path: path, expected: stage.sha256, found: found)
                continue
            }
            _ = try PluginTrust(searchPath: searchPath).check(path)
            return try loader.load(path: path)
        }
        if let mismatch { throw mismatch }
        throw PredictError("no \(stage.file) with SHA-256 \(stage.sha256) in the plugin search path (\(searchPath.joined(separator: ", ")))")
    }
}
