import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// A drop owned by exactly one run: renamed out of the inbox into
/// `work/<run-key>/`. `rename(2)` is atomic, so two claimers can never both
/// win, and a producer's half-written temp file is never claimed (see
/// ``InboxScanner``).
public struct DropClaim: Sendable {
    /// Unique run key, also the work folder's name: `<UTC stamp>-<pipeline>-<random>`.
    public let runKey: String
    public let pipeline: String
    /// Name as dropped.
    public let fileName: String
    /// Where it was dropped.
    public let inboxPath: String
    /// The run's work folder and the drop inside it.
    public let workDirectory: String
    public let path: String
    /// The drop's modification time (when the producer finished it), ISO-8601.
    public let receivedAt: String
    public let claimedAt: String

    /// Claims `inboxPath` for `pipeline` into `workRoot`.
    /// - Throws: ``SystemError`` (e.g. `ENOENT` when another claimer won).
    public static func claim(_ inboxPath: String, pipeline: String, workRoot: String) throws -> DropClaim {
        var info = stat()
        try Syscall.run("stat", path: inboxPath) { lstat(inboxPath, &info) }
        let mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        let now = Timestamp.unixNow()
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let runKey = "\(Timestamp.compact(seconds: now))-\(pipeline)-\(tag)"
        let workDirectory = workRoot + "/" + runKey
        try FileSystem.createDirectory(workDirectory)
        let fileName = FileSystem.baseName(inboxPath)
        let path = workDirectory + "/" + fileName
        do {
            try FileSystem.rename(inboxPath, to: path)
        } catch {
            try? FileSystem.removeDirectory(workDirectory)
            throw error
        }
        try FileSystem.syncDirectory(workDirectory)
        try FileSystem.syncDirectory(FileSystem.directory(of: inboxPath))
        return DropClaim(runKey: runKey, pipeline: pipeline, fileName: fileName, inboxPath: inboxPath,
                         workDirectory: workDirectory, path: path,
                         receivedAt: Timestamp.iso8601(seconds: mtime), claimedAt: Timestamp.iso8601(seconds: now))
    }
}
