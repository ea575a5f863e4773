import Foundation
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// A drop owned by exactly one run: renamed out of the inbox into
/// `work/<run-key>/`. `rename(2)` is atomic, so two claimers can never both
/// win, and a producer's half-written temp file is never claimed (see
/// ``InboxScanner``).
public struct DropClaim: Sendable, Codable, Equatable {
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
    /// Training, scoring or labels drop (absent in claims from before scoring: training).
    public let kind: DropKind
    /// The file's size and modification time (ns) when it was claimed, to
    /// tell a writer that kept writing after the claim (absent in older claims).
    public let sizeAtClaim: Int64?
    public let mtimeAtClaim: Int64?

    public init(runKey: String, pipeline: String, fileName: String, inboxPath: String, workDirectory: String,
                path: String, receivedAt: String, claimedAt: String, kind: DropKind = .train,
                sizeAtClaim: Int64? = nil, mtimeAtClaim: Int64? = nil) {
        self.runKey = runKey
        self.pipeline = pipeline
        self.fileName = fileName
        self.inboxPath = inboxPath
        self.workDirectory = workDirectory
        self.path = path
        self.receivedAt = receivedAt
        self.claimedAt = claimedAt
        self.kind = kind
        self.sizeAtClaim = sizeAtClaim
        self.mtimeAtClaim = mtimeAtClaim
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(runKey: try container.decode(String.self, forKey: .runKey),
                  pipeline: try container.decode(String.self, forKey: .pipeline),
                  fileName: try container.decode(String.self, forKey: .fileName),
                  inboxPath: try container.decode(String.self, forKey: .inboxPath),
                  workDirectory: try container.decode(String.self, forKey: .workDirectory),
                  path: try container.decode(String.self, forKey: .path),
                  receivedAt: try container.decode(String.self, forKey: .receivedAt),
                  claimedAt: try container.decode(String.self, forKey: .claimedAt),
                  kind: try container.decodeIfPresent(DropKind.self, forKey: .kind) ?? .train,
                  sizeAtClaim: try container.decodeIfPresent(Int64.self, forKey: .sizeAtClaim),
                  mtimeAtClaim: try container.decodeIfPresent(Int64.self, forKey: .mtimeAtClaim))
    }

    /// Claims `inboxPath` for `pipeline` into `workRoot`.
    /// - Throws: ``SystemError`` (e.g. `ENOENT` when another claimer won).
    /// `rawSource` is the entry's path as bytes, for a name that is not valid
    /// UTF-8 (then `inboxPath` is its readable stand-in).
    public static func claim(_ inboxPath: String, pipeline: String, workRoot: String,
                             kind: DropKind = .train, rawSource: [UInt8]? = nil, runKey key: String? = nil) throws -> DropClaim {
        let source = (rawSource ?? Array(inboxPath.utf8)).map { CChar(bitPattern: $0) } + [0]
        var info = stat()
        try Syscall.run("stat", path: inboxPath) { lstat(source, &info) }
        let mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        let now = Timestamp.unixNow()
        let runKey = key ?? newKey(pipeline: pipeline, kind: kind, now: now)
        let workDirectory = workRoot + "/" + runKey
        try FileSystem.createDirectory(workDirectory)
        let fileName = FileSystem.baseName(inboxPath)
        let path = workDirectory + "/" + fileName
        let claim = DropClaim(runKey: runKey, pipeline: pipeline, fileName: fileName, inboxPath: inboxPath,
                              workDirectory: workDirectory, path: path,
                              receivedAt: Timestamp.iso8601(seconds: mtime), claimedAt: Timestamp.iso8601(seconds: now),
                              kind: kind, sizeAtClaim: Int64(info.st_size),
                              mtimeAtClaim: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        do {
            // The record first: a work folder holding a drop always says what it is.
            try FileSystem.writeAtomically(Array(try JSONEncoder().encode(claim)), to: workDirectory + "/" + recordName)
            CrashPoint.claimRecorded.reach()
            try Syscall.run("rename", path: "\(inboxPath) -> \(path)") { rename(source, path) }
            CrashPoint.claimMoved.reach()
        } catch {
            try? FileSystem.remove(workDirectory + "/" + recordName)
            try? FileSystem.removeDirectory(workDirectory)
            throw error
        }
        try FileSystem.syncDirectory(workDirectory)
        try FileSystem.syncDirectory(FileSystem.directory(of: inboxPath))
        return claim
    }

    /// A new run key (and work folder name): `<UTC stamp>-<pipeline>[-<kind>]-<random>`.
    public static func newKey(pipeline: String, kind: DropKind, now: Double = Timestamp.unixNow()) -> String {
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(Timestamp.compact(seconds: now))-\(pipeline)\(kind == .train ? "" : "-\(kind.rawValue)")-\(tag)"
    }

    /// What a drop in an inbox is, to tell it from another file of the same
    /// name: path, size, modification time (ns) and inode. Hosts sharing the
    /// inbox see the same identity for the same file.
    public static func identity(of inboxPath: String) throws -> String {
        var info = stat()
        try Syscall.run("stat", path: inboxPath) { lstat(inboxPath, &info) }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return "\(inboxPath)|\(info.st_size)|\(mtime)|\(info.st_ino)"
    }

    /// Name of the claim record inside a work folder.
    public static let recordName = ".sluice-claim.json"
    /// Lock file a worker holds (`flock`) for as long as it runs the folder's
    /// drop: recovery never runs a drop whose worker may still be alive.
    public static let workerLockName = ".sluice-worker.lock"

    /// Whether a live process (a worker) holds this folder's worker lock,
    /// after waiting up to `timeout` seconds for it to let go.
    public static func isHeldByAWorker(_ workDirectory: String, timeout: Double) throws -> Bool {
        guard FileSystem.isDirectory(workDirectory) else { return false }
        guard let fd = try FileLock.acquire(workDirectory + "/" + workerLockName, timeout: timeout) else { return true }
        close(fd)
        return false
    }

    /// Reads the claim record of a work folder (for workers and recovery).
    /// Paths are re-based on `workDirectory`, so a moved state folder still works.
    public static func load(workDirectory: String) throws -> DropClaim {
        let bytes = try FileSystem.read(workDirectory + "/" + recordName)
        let stored = try JSONDecoder().decode(DropClaim.self, from: Data(bytes))
        return DropClaim(runKey: stored.runKey, pipeline: stored.pipeline, fileName: stored.fileName,
                         inboxPath: stored.inboxPath, workDirectory: workDirectory,
                         path: workDirectory + "/" + stored.fileName, receivedAt: stored.receivedAt,
                         claimedAt: stored.claimedAt, kind: stored.kind, sizeAtClaim: stored.sizeAtClaim,
                         mtimeAtClaim: stored.mtimeAtClaim)
    }

    /// A sentence when the drop changed after it was claimed (its writer was
    /// still writing: what was read is not the whole file), else nil.
    public var growthSinceClaim: String? {
        guard let sizeAtClaim, let mtimeAtClaim else { return nil }
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        guard Int64(info.st_size) != sizeAtClaim || mtime != mtimeAtClaim else { return nil }
        return "the file changed after it was claimed (\(sizeAtClaim) bytes then, \(info.st_size) now): its writer was "
            + "still writing, so what was read is not the whole file — write under a temp name (.tmp, .part) and "
            + "rename it in, or close it before pausing longer than settle_seconds"
    }

    /// Whether the drop file is still in the work folder.
    public var isPresent: Bool { FileSystem.isRegularFile(path) }
}
