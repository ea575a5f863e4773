import SluiceEngine
import SluiceSystem

/// The plugin files a lane worker loaded, by ``FileIdentity``. A plugin
/// rebuilt or replaced on disk takes effect at the next run: the worker that
/// loaded the old one refuses the run and a fresh worker loads the new file.
struct PluginFileState {
    private let files: [String: FileIdentity?]

    init(_ catalog: StageCatalog) {
        var files: [String: FileIdentity?] = [:]
        for stage in catalog.stages.values.joined() { files[stage.plugin.path] = FileIdentity(stage.plugin.path) }
        self.files = files
    }

    /// The first loaded plugin file that is no longer the one loaded, if any.
    func changed() -> String? {
        files.keys.sorted().first { FileIdentity($0) != files[$0] ?? nil }
    }
}
