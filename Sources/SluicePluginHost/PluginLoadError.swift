/// Why a plugin could not be loaded. Each way a plugin can be wrong has its
/// own case and message, checked in this order, before any plugin code runs
/// (except the descriptor function itself).
public enum PluginLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No file at the path.
    case fileMissing(path: String)
    /// `dlopen` refused the file (not an ELF shared object, wrong architecture,
    /// unresolved symbol under RTLD_NOW, …); carries `dlerror()`'s text.
    case notLoadable(path: String, reason: String)
    /// The file loaded but does not export the descriptor function.
    case symbolMissing(path: String, symbol: String)
    /// The descriptor function returned NULL.
    case nullDescriptor(path: String)
    /// The descriptor's `struct_size` is smaller than ABI v1's descriptor.
    case descriptorTooSmall(path: String, found: Int, required: Int)
    /// The plugin was built for another ABI version.
    case abiMismatch(path: String, found: Int, supported: Int)
    /// The descriptor is malformed (missing name, version or run, unknown kind).
    case invalidDescriptor(path: String, reason: String)
    /// A plugin named in a pipeline was not found on the search path.
    case notFound(name: String, searched: [String])
    /// The file, or a folder above it, could have been written by someone other
    /// than root or the user sluice runs as, or it lies outside the search path.
    case untrusted(path: String, reason: String)
    /// A model's manifest names a plugin whose file now has other bytes.
    case hashMismatch(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .fileMissing(let path):
            "plugin \(path): no such file"
        case .notLoadable(let path, let reason):
            "plugin \(path): not a loadable shared object: \(reason)"
        case .symbolMissing(let path, let symbol):
            "plugin \(path): missing symbol \(symbol) (is it a sluice plugin? it must export \(symbol); see sluice_plugin.h)"
        case .nullDescriptor(let path):
            "plugin \(path): \(PluginLoader.symbol)() returned NULL"
        case .descriptorTooSmall(let path, let found, let required):
            "plugin \(path): descriptor struct_size \(found) is smaller than ABI v1's \(required) bytes (built against a broken header?)"
        case .abiMismatch(let path, let found, let supported):
            "plugin \(path): incompatible plugin ABI version \(found); this sluice speaks ABI version \(supported) — rebuild the plugin against this sluice's sluice_plugin.h"
        case .invalidDescriptor(let path, let reason):
            "plugin \(path): invalid descriptor: \(reason)"
        case .notFound(let name, let searched):
            "plugin '\(name)' not found; looked for \(name).so, libsluice-\(name).so and lib\(name).so in: \(searched.joined(separator: ", "))"
        case .untrusted(let path, let reason):
            "plugin \(path): refused: \(reason)"
        case .hashMismatch(let path, let expected, let found):
            "plugin \(path): has SHA-256 \(found), but the model was made by the file with SHA-256 \(expected); "
                + "refusing to run other code on the model's data (reinstall that plugin version)"
        }
    }
}
