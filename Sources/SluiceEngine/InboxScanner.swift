import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Finds drops waiting in an inbox: regular files, not hidden (`.name`), not
/// still being written by convention (`*.tmp`, `*.part`). Oldest first.
public enum InboxScanner {
    /// Whether a file name is a drop (as opposed to a temp file or dotfile).
    public static func isDropName(_ name: String) -> Bool {
        !name.hasPrefix(".") && !name.hasSuffix(".tmp") && !name.hasSuffix(".part")
    }

    /// Drops in `inbox`, ordered by modification time, then name.
    public static func scan(_ inbox: String) throws -> [String] {
        var found: [(mtime: Double, name: String)] = []
        for name in try FileSystem.list(inbox) where isDropName(name) {
            let path = inbox + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            found.append((Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9, name))
        }
        return found.sorted { ($0.mtime, $0.name) < ($1.mtime, $1.name) }.map { inbox + "/" + $0.name }
    }
}
