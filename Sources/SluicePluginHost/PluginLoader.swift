import CSluicePlugin
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Loads stage plugins with `dlopen(RTLD_NOW | RTLD_LOCAL)` and checks their
/// descriptor before anything else runs. Loaded plugins are cached by path and
/// never unloaded (plugins may keep static state; Swift runtimes do not
/// support unloading). Thread-safe.
public final class PluginLoader: @unchecked Sendable {
    /// The exported symbol every plugin provides.
    public static let symbol = SLUICE_PLUGIN_SYMBOL
    /// The ABI version this host speaks.
    public static let abiVersion = Int(SLUICE_PLUGIN_ABI_VERSION)
    /// Size of ABI v1's first descriptor (up to `plugin_data`); smaller
    /// descriptors are refused, and members after it are read only when the
    /// plugin's `struct_size` covers them.
    public static let minimumDescriptorSize = MemoryLayout<sluice_plugin_descriptor>.offset(of: \.apply)!
    /// Size of a descriptor that carries `apply`.
    static let applyDescriptorSize = minimumDescriptorSize + MemoryLayout<UnsafeRawPointer>.size

    private let lock = Mutex()
    private var loaded: [String: LoadedPlugin] = [:]

    /// Where plugin files' SHA-256 are remembered, if anywhere.
    let hashCache: PluginHashCache?

    public init(hashCache: PluginHashCache? = nil) {
        self.hashCache = hashCache
    }

    /// A loader that remembers plugin hashes in `stateDirectory`'s cache (``PluginHashCache``).
    public convenience init(cachingHashesIn stateDirectory: String) {
        self.init(hashCache: PluginHashCache(stateDirectory: stateDirectory))
    }

    /// Loads (or returns the already loaded) plugin at `path`.
    /// - Throws: ``PluginLoadError`` naming exactly what is wrong.
    public func load(path: String) throws -> LoadedPlugin {
        let path = FileSystem.absolute(path)
        return try lock.withLock {
            if let plugin = loaded[path] { return plugin }
            let plugin = try Self.open(path, hashCache: hashCache)
            loaded[path] = plugin
            return plugin
        }
    }

    /// Finds a plugin by name on `searchPath` (or takes it as a path when it
    /// contains `/`), trying `<name>.so`, `libsluice-<name>.so`, `lib<name>.so`.
    public func resolve(_ name: String, searchPath: [String], relativeTo base: String) throws -> String {
        if name.contains("/") { return FileSystem.resolve(name, against: base) }
        for folder in searchPath {
            for candidate in ["\(name).so", "libsluice-\(name).so", "lib\(name).so"] {
                let path = "\(folder)/\(candidate)"
                if FileSystem.isRegularFile(path) || FileSystem.symlinkTarget(path) != nil { return path }
            }
        }
        throw PluginLoadError.notFound(name: name, searched: searchPath)
    }

    /// Folders searched after the configured ones: `$SLUICE_PLUGIN_PATH`
    /// (colon-separated; only when `environment` is true), the running
    /// executable's folder (a build tree), `<prefix>/lib/sluice/plugins`
    /// beside the executable's `bin/`, and `/usr/lib/sluice/plugins`.
    public static func defaultSearchPath(environment: Bool = !runningAsService) -> [String] {
        var folders: [String] = []
        if environment, let env = getenv("SLUICE_PLUGIN_PATH") {
            folders += String(cString: env).split(separator: ":").map(String.init)
        }
        if let exe = FileSystem.symlinkTarget("/proc/self/exe") {
            let bin = FileSystem.directory(of: exe)
            folders.append(bin)
            folders.append(FileSystem.normalize(bin + "/../lib/sluice/plugins"))
        }
        folders.append("/usr/lib/sluice/plugins")
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }
    }

    /// True when this process is (or was started by) a system service: systemd
    /// set `INVOCATION_ID` and the process sits in `system.slice`. The daemon's
    /// children inherit both. There `$SLUICE_PLUGIN_PATH` is ignored unless the
    /// config sets `allow_plugin_path_env: true`, so an environment setting
    /// cannot add code to a service behind its config. (A shell in a desktop
    /// session may carry `INVOCATION_ID` too, but lives in `user.slice`.)
    public static let runningAsService: Bool = {
        guard let id = getenv("INVOCATION_ID"), id.pointee != 0 else { return false }
        return isSystemService(cgroup: (try? FileSystem.readText("/proc/self/cgroup")) ?? "")
    }()

    /// Whether `/proc/self/cgroup` text places the process in a system service.
    public static func isSystemService(cgroup: String) -> Bool {
        cgroup.split(separator: "\n").contains { line in
            guard let path = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).last else { return false }
            return path.hasPrefix("/system.slice/")
        }
    }

    /// What to tell someone whose `$SLUICE_PLUGIN_PATH` was not searched.
    public static var environmentNote: String? {
        guard runningAsService, getenv("SLUICE_PLUGIN_PATH") != nil else { return nil }
        return "$SLUICE_PLUGIN_PATH is ignored when sluice runs as a service (INVOCATION_ID is set); "
            + "set allow_plugin_path_env: true in the config to search it"
    }

    static func open(_ path: String, hashCache: PluginHashCache? = nil) throws -> LoadedPlugin {
        guard FileSystem.exists(path) else { throw PluginLoadError.fileMissing(path: path) }
        _ = try PluginTrust().check(path)
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginLoadError.notLoadable(path: path, reason: reason)
        }
        guard let address = dlsym(handle, symbol) else {
            throw PluginLoadError.symbolMissing(path: path, symbol: symbol)
        }
        let function = unsafeBitCast(address, to: sluice_plugin_descriptor_fn.self)
        guard let descriptor = function() else { throw PluginLoadError.nullDescriptor(path: path) }
        // struct_size and abi_version are the first two fields in every ABI version:
        // read them before trusting anything else.
        let size = Int(descriptor.pointee.struct_size)
        let abi = Int(descriptor.pointee.abi_version)
        if abi != abiVersion {
            throw PluginLoadError.abiMismatch(path: path, found: abi, supported: abiVersion)
        }
        if size < minimumDescriptorSize {
            throw PluginLoadError.descriptorTooSmall(path: path, found: size, required: minimumDescriptorSize)
        }
        let d = descriptor.pointee
        guard let name = d.name.map({ String(cString: $0) }), !name.isEmpty else {
            throw PluginLoadError.invalidDescriptor(path: path, reason: "name is NULL or empty")
        }
        guard let version = d.version.map({ String(cString: $0) }), !version.isEmpty else {
            throw PluginLoadError.invalidDescriptor(path: path, reason: "version is NULL or empty")
        }
        guard let kind = PluginKind(rawValue: d.kind) else {
            throw PluginLoadError.invalidDescriptor(path: path, reason: "unknown stage kind \(d.kind) (expected 1...5)")
        }
        guard d.run != nil else {
            throw PluginLoadError.invalidDescriptor(path: path, reason: "run is NULL")
        }
        let summary = d.summary.map { String(cString: $0) } ?? ""
        let apply = size >= applyDescriptorSize ? d.apply : nil
        let sha256 = try hashCache?.sha256(of: path) ?? ContentHash.sha256(file: path)
        return LoadedPlugin(path: path, sha256: sha256, name: name, version: version,
                            kind: kind, summary: summary, abiVersion: abi, descriptorSize: size,
                            descriptor: descriptor, apply: apply)
    }
}
