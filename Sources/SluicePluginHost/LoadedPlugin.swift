import CSluicePlugin

/// The kind of a stage, as the ABI numbers it.
public enum PluginKind: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case validate = 1, features = 2, train = 3, evaluate = 4, custom = 5

    public var description: String {
        switch self {
        case .validate: "validate"
        case .features: "features"
        case .train: "train"
        case .evaluate: "evaluate"
        case .custom: "custom"
        }
    }
}

/// A plugin that passed every load check. Never unloaded.
// @unchecked: the descriptor and its entry points are immutable C data that
// live as long as the process (plugins are never unloaded).
public struct LoadedPlugin: @unchecked Sendable {
    /// Absolute path of the shared object.
    public let path: String
    /// SHA-256 of the shared object's bytes (recorded in ledger and manifest).
    public let sha256: String
    public let name: String
    public let version: String
    public let kind: PluginKind
    public let summary: String
    /// The ABI version the plugin was built against, and its descriptor's `struct_size`.
    public let abiVersion: Int
    public let descriptorSize: Int
    /// The plugin's own descriptor; immutable, lives as long as the process.
    let descriptor: UnsafePointer<sluice_plugin_descriptor>
    /// The descriptor's `apply` entry, when its `struct_size` covers it and it is set.
    let apply: StageEntry?

    /// Whether the stage re-applies what it fitted to new rows (`apply` in the ABI).
    public var applies: Bool { apply != nil }
}

/// `run` and `apply` share one C signature.
typealias StageEntry = @convention(c) (
    UnsafePointer<sluice_plugin_descriptor>?, UnsafePointer<sluice_host_api>?, OpaquePointer?
) -> Int32
