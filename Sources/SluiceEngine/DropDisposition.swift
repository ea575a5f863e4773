import SluiceConfig
import SluiceSystem

/// Moves a finished drop out of its work folder: into `archive/<pipeline>/`
/// named by content hash, or into `quarantine/<pipeline>/` beside a `.reason`
/// file. Both by rename, so the drop is always in exactly one place.
enum DropDisposition {
    /// Archives the drop as `<sha256><ext>`; returns its new path.
    /// Training drops go to `archive/<pipeline>/`, scoring and labels drops to
    /// its `scoring/` and `labels/` folders (never into a training window).
    static func archive(_ claim: DropClaim, sha256: String, configuration: SluiceConfiguration) throws -> String {
        let folder = configuration.archiveDirectory(claim.pipeline) + (claim.kind == .train ? "" : "/\(claim.kind == .score ? "scoring" : "labels")")
        try FileSystem.createDirectory(folder)
        let destination = "\(folder)/\(sha256)\(extensionOf(claim.fileName))"
        // Same hash means same bytes: replacing an earlier copy loses nothing.
        try FileSystem.rename(claim.path, to: destination)
        try FileSystem.syncDirectory(folder)
        CrashPoint.renamedDrop.reach()
        removeWorkDirectory(claim)
        return destination
    }

    /// Removes the (now empty) work folder and its claim record.
    static func removeWorkDirectory(_ claim: DropClaim) {
        try? FileSystem.remove(claim.workDirectory + "/" + DropClaim.recordName)
        try? FileSystem.remove(claim.workDirectory + "/" + DropClaim.workerLockName)
        try? FileSystem.removeDirectory(claim.workDirectory)
    }

    /// Quarantines the drop as `<run-key>-<name>` with `<run-key>-<name>.reason`.
    static func quarantine(_ claim: DropClaim, reason: String, details: [(String, String)],
                           configuration: SluiceConfiguration) throws -> String {
        let folder = configuration.quarantineDirectory(claim.pipeline)
        try FileSystem.createDirectory(folder)
        let destination = "\(folder)/" + fitted("\(claim.runKey)-\(claim.fileName)", reserve: ".reason".utf8.count)
        var text = "sluice quarantined this drop.\n\n"
        for (key, value) in [("pipeline", claim.pipeline), ("file", claim.fileName), ("run", claim.runKey)] + details {
            text += "\(key): \(value)\n"
        }
        text += "\nreason:\n"
        for part in reason.split(separator: "; ") { text += "  - \(part)\n" }
        // Reason first: a drop in quarantine always has its reason beside it.
        try FileSystem.writeAtomically(text, to: destination + ".reason")
        try FileSystem.rename(claim.path, to: destination)
        try FileSystem.syncDirectory(folder)
        CrashPoint.renamedDrop.reach()
        removeWorkDirectory(claim)
        return destination
    }

    /// `name`, shortened when it and `reserve` more bytes would pass the
    /// 255-byte limit of a file name (NAME_MAX): the start kept on a character
    /// boundary, then `~`, 8 hex digits of the whole name's SHA-256 (so two
    /// long names stay apart) and the extension.
    static func fitted(_ name: String, reserve: Int) -> String {
        let limit = 255 - reserve
        guard name.utf8.count > limit else { return name }
        let ext = String(extensionOf(name).prefix(24))
        let tag = "~" + ContentHash.sha256(Array(name.utf8)).prefix(8)
        return FileSystem.prefix(name, utf8Bytes: limit - tag.utf8.count - ext.utf8.count) + tag + ext
    }

    /// `.csv`, `.csv.gz`, `.tsv` … from a file name (empty when none).
    static func extensionOf(_ name: String) -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return "" }
        if parts.last == "gz", parts.count > 2 { return "." + parts.suffix(2).joined(separator: ".") }
        return "." + parts.last!
    }
}
