import ArgumentParser
import SluicePluginHost
import SluiceSystem

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the plugins on the search path, or check plugin files.",
        discussion: """
        Without arguments, lists every plugin found in the default search path \
        ($SLUICE_PLUGIN_PATH, the sluice executable's folder, <prefix>/lib/sluice/plugins, \
        /usr/lib/sluice/plugins). With paths, loads each file and reports exactly what is wrong \
        with it, if anything (missing file, not a shared object, missing \
        sluice_plugin_descriptor_v1, ABI version mismatch, descriptor too small).
        """
    )

    @Argument(help: ArgumentHelp("Plugin files (.so) to check.", valueName: "path"))
    var paths: [String] = []

    func run() throws {
        let loader = PluginLoader()
        var candidates = paths
        if candidates.isEmpty {
            for folder in PluginLoader.defaultSearchPath() where FileSystem.isDirectory(folder) {
                for name in (try? FileSystem.list(folder)) ?? [] where name.hasSuffix(".so") {
                    candidates.append(folder + "/" + name)
                }
            }
        }
        var failures = 0
        var out = ""
        for path in candidates {
            do {
                let plugin = try loader.load(path: path)
                out += "\(plugin.name) \(plugin.version) (\(plugin.kind)) — \(plugin.summary)\n    \(plugin.path)\n"
            } catch {
                failures += 1
                out += "\(error)\n"
            }
        }
        if candidates.isEmpty { out += "no plugins found on the search path\n" }
        FileSystem.writeStandardOutput(out)
        if failures > 0, !paths.isEmpty { throw ExitCode.failure }
    }
}
