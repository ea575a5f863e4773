import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Finds what waits in an inbox: every entry that is not hidden (`.name`) and
/// not still being written by convention (`*.tmp`, `*.part`) — regular files,
/// and also what the scheduler must move out or warn about (symlinks, FIFOs,
/// sockets, folders, names that are not UTF-8: ``InboxEntry``). Oldest first.
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
            guard lstat(path, &info) == 0 || name.unicodeScalars.contains("\u{FFFD}") else { continue }
            found.append((Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9, name))
        }
        return found.sorted { ($0.mtime, $0.name) < ($1.mtime, $1.name) }.map { inbox + "/" + $0.name }
    }

    /// Entries whose names are not valid UTF-8 (as bytes), hidden ones aside.
    /// ``scan(_:)`` lists each as a stand-in path that does not exist.
    public static func invalidNames(_ inbox: String) throws -> [[UInt8]] {
        try FileSystem.listRaw(inbox).filter { $0.first != UInt8(ascii: ".") && String(validating: $0, as: UTF8.self) == nil }
    }
}
