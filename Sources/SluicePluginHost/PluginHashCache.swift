import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// The SHA-256 of plugin files, remembered by ``FileIdentity`` (device, inode,
/// size, modification and change times in nanoseconds), so a process that
/// loads the stock plugins does not hash ~12 MB each time it starts. An
/// entry is one small file per plugin path in `<state_dir>/cache/plugin-sha256/`:
/// `<identity> <TAB> <sha256>`. It is used only while the file's identity is
/// unchanged — any write to the plugin changes its ctime, which no user
/// program can set back — and written only for a file whose ctime is at
/// least 2 s old, so a write within the same clock tick cannot hide. Whoever
/// can write the state folder could forge an entry, but could as well edit
/// the ledger that records the hash: it is the same trust. A cache that
/// cannot be read or written costs only the hashing.
public struct PluginHashCache: Sendable {
    public let folder: String
    /// How old a file's ctime must be before its hash is remembered.
    let settledSeconds: Double

    public init(stateDirectory: String, settledSeconds: Double = 2) {
        folder = stateDirectory + "/cache/plugin-sha256"
        self.settledSeconds = settledSeconds
    }

    /// The SHA-256 of the file at `path`, from the cache when its identity is the one remembered.
    public func sha256(of path: String) throws -> String {
        guard let before = FileIdentity(path) else { return try ContentHash.sha256(file: path) }
        let entry = folder + "/" + ContentHash.sha256(Array(path.utf8))
        if FileSystem.exists(entry), let text = try? FileSystem.readText(entry) {
            // An unreadable or torn entry is recomputed below and replaced: it is only a cache.
            let fields = text.split(separator: "\t").map { $0.trimmingCharacters(in: .newlines) }
            if fields.count == 2, fields[0] == before.key, fields[1].count == 64 { return fields[1] }
        }
        let sha256 = try ContentHash.sha256(file: path)
        if let after = FileIdentity(path), after == before, Timestamp.unixNow() - after.changedAt >= settledSeconds {
            do {
                try FileSystem.createDirectory(folder)
                try FileSystem.writeAtomically(before.key + "\t" + sha256 + "\n", to: entry)
            } catch {
                // Not remembered (a read-only state folder): the next process hashes the file again.
            }
        }
        return sha256
    }
}
