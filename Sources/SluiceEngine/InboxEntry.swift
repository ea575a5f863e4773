import SluiceData
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// What an entry in an inbox is, for the scheduler: a drop to claim, or one
/// of the things that must never sit there unrecorded (docs/ingest.md,
/// "What the inbox takes").
public enum InboxEntry: Equatable, Sendable {
    /// A regular file with a usable name: claim and run it.
    case drop
    /// Gone before it was claimed (moved away or deleted by its writer).
    case gone
    /// A folder: sluice does not descend into inboxes; warned about once.
    case folder
    /// Not something to read — a symlink (never followed), FIFO, socket or
    /// device — or a name that cannot be shown on one line: quarantined as
    /// the entry itself, with this reason.
    case refused(String)

    public static func classify(_ path: String) -> InboxEntry {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .gone }
        let name = FileSystem.baseName(path)
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFREG:
            if let problem = nameProblem(name) { return .refused(problem) }
            return .drop
        case S_IFLNK:
            let target = FileSystem.symlinkTarget(path).map { " (to \(MessageText.escaped($0)))" } ?? ""
            return .refused("a symbolic link\(target), not a file: sluice never follows links in an inbox; "
                + "drop the file itself (write it under a temp name, then rename it in)")
        case S_IFIFO: return .refused("a FIFO (named pipe), not a file: drop a regular file")
        case S_IFSOCK: return .refused("a socket, not a file: drop a regular file")
        default: return .refused("a device or other special file, not a regular file")
        }
    }

    /// Why a file name is refused, if it is: control characters (a newline,
    /// a tab, an escape) would break every line it is shown on.
    public static func nameProblem(_ name: String) -> String? {
        guard name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        return "the file name contains control characters (\(MessageText.escaped(name))); rename it without them"
    }
}
