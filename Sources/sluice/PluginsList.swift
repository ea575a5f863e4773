import ArgumentParser
import Foundation
import SluiceConfig
import SluiceEngine
import SluicePluginHost
import SluiceSystem

struct PluginsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every plugin on the search path, with its identity and load status.",
        discussion: """
        For each .so in the search path — the config's plugin_path (with --config), then \
        $SLUICE_PLUGIN_PATH (not in a system service unless the config sets \
        allow_plugin_path_env: true), the sluice executable's folder, \
        <prefix>/lib/sluice/plugins and /usr/lib/sluice/plugins — shows name, version, kind, \
        ABI version and descriptor size, whether it re-applies what it fits (apply), file, \
        SHA-256, the config's stages that use it, and the exact error for a file that does not \
        load (including a refusal of an untrusted file). Loading runs a plugin's initializers \
        in this process; `sluice plugins check` runs a stage in a child instead.

        Exit status: 0, or 1 when a file named on the command line does not load.

        Examples:
          sluice plugins list --config /etc/sluice/sluice.yaml
          sluice plugins list --format json
          sluice plugins ./build/my-stage.so
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: ArgumentHelp("Also search this config's plugin_path, and show which of its stages use each plugin.",
                               valueName: "file"))
    var config: String?

    @Option(help: "text or json.")
    var format: Format = .text

    @Argument(help: ArgumentHelp("Plugin files (.so) to show instead of the search path.", valueName: "path"))
    var paths: [String] = []

    struct Entry: Encodable {
        var file: String
        var status: String
        var error: String?
        var name: String?
        var version: String?
        var kind: String?
        var abiVersion: Int?
        var descriptorSize: Int?
        var applies: Bool?
        var sha256: String?
        var summary: String?
        var usedBy: [String]?
    }

    /// The JSON document.
    struct Listing: Encodable {
        var searchPath: [String]
        var plugins: [Entry]
    }

    func run() throws {
        let configuration = try config.map { try ConfigLoader.load(FileSystem.absolute($0)) }
        let searchPath = configuration.map { StageCatalog.searchPath($0) } ?? PluginLoader.defaultSearchPath()
        let candidates = paths.isEmpty ? Self.files(in: searchPath) : paths.map(FileSystem.absolute)
        let usage = configuration.map { Self.usage($0, searchPath: searchPath) } ?? [:]
        let loader = PluginLoader()
        var failures = 0
        let entries = candidates.map { path -> Entry in
            do {
                let plugin = try loader.load(path: path)
                return Entry(file: plugin.path, status: "ok", name: plugin.name, version: plugin.version,
                             kind: plugin.kind.description, abiVersion: plugin.abiVersion,
                             descriptorSize: plugin.descriptorSize, applies: plugin.applies, sha256: plugin.sha256,
                             summary: plugin.summary, usedBy: usage[FileSystem.realPath(plugin.path) ?? plugin.path])
            } catch {
                failures += 1
                return Entry(file: path, status: "error", error: "\(error)")
            }
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let body = Listing(searchPath: searchPath, plugins: entries)
            FileSystem.writeStandardOutput(String(decoding: try encoder.encode(body), as: UTF8.self) + "\n")
        case .text:
            FileSystem.writeStandardOutput(Self.text(entries, searchPath: searchPath, listingSearchPath: paths.isEmpty))
        }
        if failures > 0, !paths.isEmpty { throw ExitCode.failure }
    }

    static func text(_ entries: [Entry], searchPath: [String], listingSearchPath: Bool) -> String {
        var out = listingSearchPath ? "search path: \(searchPath.joined(separator: ":"))\n" : ""
        for entry in entries {
            guard entry.status == "ok", let name = entry.name, let version = entry.version, let kind = entry.kind else {
                out += "\n✗ \(entry.file)\n    \(entry.error ?? "?")\n"
                continue
            }
            out += "\n\(name) \(version) (\(kind)\(entry.applies == true ? ", applies" : "")) — \(entry.summary ?? "")\n"
            out += "    file    \(entry.file)\n"
            out += "    sha256  \(entry.sha256 ?? "?")\n"
            out += "    abi     v\(entry.abiVersion ?? 0), descriptor \(entry.descriptorSize ?? 0) bytes\n"
            if let used = entry.usedBy, !used.isEmpty { out += "    used by \(used.joined(separator: ", "))\n" }
        }
        if entries.isEmpty { out += "\nno plugins found on the search path\n" }
        return out
    }

    /// Every `.so` in the search path's folders, in search order.
    static func files(in searchPath: [String]) -> [String] {
        var seen = Set<String>()
        var files: [String] = []
        for folder in searchPath where FileSystem.isDirectory(folder) {
            // An unreadable folder lists as nothing; loading names what is wrong with a file.
            for name in ((try? FileSystem.list(folder)) ?? []).sorted() where name.hasSuffix(".so") {
                let path = folder + "/" + name
                if seen.insert(FileSystem.realPath(path) ?? path).inserted { files.append(path) }
            }
        }
        return files
    }

    /// Real path of each plugin file → `pipeline/stage` entries that use it.
    static func usage(_ configuration: SluiceConfiguration, searchPath: [String]) -> [String: [String]] {
        let loader = PluginLoader()
        var usage: [String: [String]] = [:]
        for pipeline in configuration.pipelines {
            for stage in pipeline.stages {
                // A stage whose plugin is not found uses no listed file (`sluice check` names the problem).
                guard let path = try? loader.resolve(stage.plugin, searchPath: searchPath,
                                                     relativeTo: FileSystem.directory(of: configuration.file)) else { continue }
                usage[FileSystem.realPath(path) ?? path, default: []].append("\(pipeline.name)/\(stage.name)")
            }
        }
        return usage
    }
}
