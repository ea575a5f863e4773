import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Who may have put a plugin where it is. sluice runs a plugin's code with the
/// daemon's rights, so it loads a file only when nobody but root or the user
/// sluice runs as could have written it or swapped it: the file and every
/// folder above it (after symlinks are resolved) must be owned by one of them
/// and writable by nobody else. A root-owned sticky folder such as `/tmp` is
/// accepted (others may add entries there, but not replace ours). When
/// `searchPath` is given, the file must also lie inside one of its folders:
/// a symlink there that leads elsewhere is refused.
public struct PluginTrust: Sendable {
    /// Real paths of the folders plugins may come from; nil accepts any folder
    /// (a file the operator named on the command line).
    public let searchPath: [String]?
    /// Owners accepted for the file and its folders: root and the effective user.
    public let owners: Set<UInt32>

    public init(searchPath: [String]? = nil) {
        self.searchPath = searchPath.map { folders in folders.compactMap { FileSystem.realPath($0) } }
        owners = [0, geteuid()]
    }

    /// The file's real path once every check passed.
    /// - Throws: ``PluginLoadError/untrusted(path:reason:)`` naming the file or
    ///   folder, its owner and its mode.
    public func check(_ path: String) throws -> String {
        guard let real = FileSystem.realPath(path) else { throw PluginLoadError.fileMissing(path: path) }
        if let searchPath, !searchPath.contains(where: { real == $0 || real.hasPrefix($0 == "/" ? "/" : $0 + "/") }) {
            let via = real == FileSystem.absolute(path) ? "" : " (a symlink to \(real))"
            throw PluginLoadError.untrusted(
                path: path,
                reason: "\(path)\(via) is outside the plugin search path (\(searchPath.joined(separator: ", "))); "
                    + "put the file in one of those folders or add its folder to plugin_path")
        }
        var info = stat()
        guard stat(real, &info) == 0 else { throw PluginLoadError.fileMissing(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw PluginLoadError.untrusted(path: path, reason: "\(real) is not a regular file")
        }
        try checkEntry(real, info, isFolder: false, path: path)
        var folder = FileSystem.directory(of: real)
        while true {
            guard stat(folder, &info) == 0 else {
                throw PluginLoadError.untrusted(path: path, reason: "cannot stat folder \(folder): \(String(cString: strerror(errno)))")
            }
            try checkEntry(folder, info, isFolder: true, path: path)
            if folder == "/" { break }
            folder = FileSystem.directory(of: folder)
        }
        return real
    }

    private func checkEntry(_ entry: String, _ info: stat, isFolder: Bool, path: String) throws {
        let what = isFolder ? "folder" : "file"
        let mode = info.st_mode & 0o7777
        let sticky = (mode & UInt32(S_ISVTX)) != 0
        // Named only for a message: looking owners up reads /etc/passwd each time.
        var facts: String { "owner \(Self.userName(info.st_uid)), mode \(Self.octal(mode))" }
        guard owners.contains(info.st_uid) else {
            throw PluginLoadError.untrusted(
                path: path,
                reason: "\(what) \(entry) is owned by another user (\(facts)); plugins and their folders must belong to "
                    + "root or \(Self.userName(geteuid())), the user sluice runs as")
        }
        let writableByOthers = mode & 0o022
        if writableByOthers != 0, !(isFolder && sticky && info.st_uid == 0) {
            let who = writableByOthers & 0o002 != 0 ? "world-writable" : "group-writable"
            throw PluginLoadError.untrusted(
                path: path,
                reason: "\(what) \(entry) is \(who) (\(facts)); anyone with that access could replace the code sluice "
                    + "runs — chmod go-w \(entry)")
        }
    }

    /// A mode as `ls` and `chmod` spell it, four octal digits.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A user's login name, or `uid N` when it has none.
    static func userName(_ uid: uid_t) -> String {
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name { return "\(String(cString: name)) (uid \(uid))" }
        return "uid \(uid)"
    }
}
