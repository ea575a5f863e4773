import SluiceEngine
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// The plugin files a lane worker loaded, as `stat` saw them (device, inode,
/// size, modification and change times). A plugin rebuilt or replaced on
/// disk takes effect at the next run: the worker that loaded the old one
/// refuses the run and a fresh worker loads the new file.
struct PluginFileState: Equatable {
    private let files: [String: [Int]]

    init(_ catalog: StageCatalog) {
        var files: [String: [Int]] = [:]
        for stage in catalog.stages.values.joined() { files[stage.plugin.path] = Self.identity(stage.plugin.path) }
        self.files = files
    }

    /// The first loaded plugin file that is no longer the one loaded, if any.
    func changed() -> String? {
        files.keys.sorted().first { Self.identity($0) != files[$0] }
    }

    private static func identity(_ path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        return [Int(info.st_dev), Int(info.st_ino), Int(info.st_size), info.st_mtim.tv_sec, info.st_mtim.tv_nsec,
                info.st_ctim.tv_sec, info.st_ctim.tv_nsec]
    }
}
