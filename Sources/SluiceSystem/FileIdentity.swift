#if canImport(Glibc)
import Glibc
#endif

/// What tells one version of a file from another without reading it:
/// device, inode, size, and modification and change times in nanoseconds.
/// Any write changes the ctime, which no user program can set back.
public struct FileIdentity: Equatable, Sendable {
    /// `dev:ino:size:mtime:ctime`, as stored by the plugin hash cache.
    public let key: String
    /// The change time, in seconds since 1970.
    public let changedAt: Double

    /// The identity of the file at `path` (following links), or nil when it cannot be `stat`ed.
    public init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        key = "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):"
            + "\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
        changedAt = Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9
    }
}
