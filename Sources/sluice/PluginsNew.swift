import ArgumentParser
import SluiceEngine
import SluiceSystem

struct PluginsNew: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Scaffold a standalone stage-plugin project, in Swift or C, outside the sluice tree.",
        discussion: """
        Writes a project with a working example stage of the chosen kind, one test and a README:

          C      NAME.c, a Makefile using `pkg-config --cflags sluice-plugin` (installed by \
        `make install`), `make test` = `sluice plugins check ./NAME.so`
          Swift  a package that depends on the installed Swift SDK by path \
        (<prefix>/share/sluice/sluice-plugin-sdk, or --sdk), Sources/ with the stage, Tests/ with a \
        swift-testing test, and a Makefile (build, test, check, install)

        Example stages: custom records row and missing-value metrics; validate rejects a drop \
        with too many missing values; features adds missing-value indicator columns and \
        re-applies them when the model scores new rows (the apply entry); train fits an \
        intercept-only model (the baseline to beat — replace the fitting with yours); evaluate \
        approves when the holdout is big enough.

        Examples:
          sluice plugins new row-stats --lang c
          sluice plugins new gap-flags --lang swift --kind features --output ~/src/gap-flags
        """
    )

    enum Language: String, ExpressibleByArgument, CaseIterable { case swift, c }
    enum Kind: String, ExpressibleByArgument, CaseIterable { case custom, validate, features, train, evaluate }

    @Argument(help: "The plugin's name: lowercase letters, digits and '-', as pipelines will name it (plugin: NAME).")
    var name: String

    @Option(help: "swift or c.")
    var lang: Language

    @Option(help: "What the example stage does: custom, validate, features, train or evaluate.")
    var kind: Kind = .custom

    @Option(help: ArgumentHelp("Folder to create (default: ./NAME). Must not exist or be empty.", valueName: "folder"))
    var output: String?

    @Option(help: ArgumentHelp("Swift only: the SDK package folder (default: the installed <prefix>/share/sluice/sluice-plugin-sdk).",
                               valueName: "folder"))
    var sdk: String?

    func validate() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard let first = name.first, first.isLetter, name.allSatisfy({ allowed.contains($0) }), !name.hasSuffix("-") else {
            throw ValidationError("plugin names are lowercase letters, digits and '-', starting with a letter: got '\(name)'")
        }
    }

    func run() throws {
        let folder = FileSystem.absolute(output ?? name)
        if FileSystem.exists(folder), !(try FileSystem.list(folder)).isEmpty {
            throw Failure("\(folder) exists and is not empty; choose another --output")
        }
        let files: [(String, String)]
        switch lang {
        case .c:
            files = ScaffoldC.files(name: name, kind: kind.rawValue)
        case .swift:
            let sdkFolder = try sdk.map(FileSystem.absolute) ?? Self.installedSDK()
            guard FileSystem.isRegularFile(sdkFolder + "/Package.swift") else {
                throw Failure("\(sdkFolder) is not the sluice Swift SDK (no Package.swift there)")
            }
            files = ScaffoldSwift.files(name: name, kind: kind.rawValue, sdk: sdkFolder)
        }
        for (relative, text) in files {
            let path = folder + "/" + relative
            try FileSystem.createDirectory(FileSystem.directory(of: path))
            try FileSystem.writeAtomically(text, to: path)
        }
        var out = "created \(folder):\n" + files.map { "  \($0.0)\n" }.joined()
        let next = switch lang {
        case .c: "\nnext:\n  cd \(folder) && make && make test\n"
        case .swift: "\nnext:\n  cd \(folder) && make && make test && make check\n"
        }
        out += next
        out += "then add `- plugin: \(name)` to a pipeline's stages and copy the .so into its plugin_path (README.md says how)\n"
        FileSystem.writeStandardOutput(out)
    }

    /// The installed SDK: beside the executable's prefix, then in a build
    /// tree's plugins/sluice-plugin-sdk, then the usual prefixes.
    static func installedSDK() throws -> String {
        let exe = FileSystem.realPath("/proc/self/exe") ?? ""
        var candidates = [FileSystem.normalize(FileSystem.directory(of: exe) + "/../share/sluice/sluice-plugin-sdk")]
        var folder = FileSystem.directory(of: exe)
        while folder != "/", !folder.isEmpty {
            candidates.append(folder + "/plugins/sluice-plugin-sdk")
            folder = FileSystem.directory(of: folder)
        }
        candidates += ["/usr/local/share/sluice/sluice-plugin-sdk", "/usr/share/sluice/sluice-plugin-sdk"]
        if let found = candidates.first(where: { FileSystem.isRegularFile($0 + "/Package.swift") }) { return found }
        throw Failure("no sluice Swift SDK found (looked in \(candidates.prefix(1).joined()), a build tree's plugins/sluice-plugin-sdk, "
            + "/usr/local/share/sluice/sluice-plugin-sdk, /usr/share/sluice/sluice-plugin-sdk): run `make install` in the sluice "
            + "repository, or pass --sdk FOLDER")
    }
}
