import CArchive
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Writes `.tar.gz` archives with libarchive, the safe way: into a hidden temp
/// file in the destination folder, fsync'd, renamed into place, folder fsync'd.
/// A reader of the folder sees no archive or a complete one. The output is
/// deterministic: fixed member order, the given mtime, no gzip timestamp.
public enum ArchiveWriter {
    /// Writes `members` (in order) to `path` as a gzip-compressed POSIX tar.
    /// - Parameter modificationTime: seconds since 1970 recorded on every member.
    /// - Throws: ``ArchiveError`` or ``SystemError``; no file is left behind on failure.
    /// - Parameter replacing: false never replaces an existing `path` (published archives are immutable).
    public static func writeTarGz(_ members: [ArchiveMember], to path: String, modificationTime: Int,
                                  replacing: Bool = true) throws {
        try FileSystem.writeAtomically(to: path, replacing: replacing) { fd, temporary in
            try write(members, fd: fd, path: temporary, modificationTime: modificationTime)
        }
    }

    static func write(_ members: [ArchiveMember], fd: Int32, path: String, modificationTime: Int) throws {
        guard let archive = archive_write_new() else {
            throw ArchiveError(operation: "archive_write_new", path: path, message: "out of memory")
        }
        defer { archive_write_free(archive) }
        func check(_ status: Int32, _ operation: String) throws {
            guard status >= ARCHIVE_WARN else {
                let message = archive_error_string(archive).map { String(cString: $0) } ?? "status \(status)"
                throw ArchiveError(operation: operation, path: path, message: message)
            }
        }
        try check(archive_write_add_filter_gzip(archive), "archive_write_add_filter_gzip")
        try check(archive_write_set_format_pax_restricted(archive), "archive_write_set_format_pax_restricted")
        try check(archive_write_set_options(archive, "gzip:!timestamp"), "archive_write_set_options")
        try check(archive_write_open_fd(archive, fd), "archive_write_open_fd")
        for member in members {
            guard let entry = archive_entry_new() else {
                throw ArchiveError(operation: "archive_entry_new", path: path, message: "out of memory")
            }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname(entry, member.name)
            archive_entry_set_size(entry, la_int64_t(member.bytes.count))
            archive_entry_set_filetype(entry, 0o100000)   // AE_IFREG
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_mtime(entry, time_t(modificationTime), 0)
            archive_entry_set_uname(entry, "sluice")
            archive_entry_set_gname(entry, "sluice")
            try check(archive_write_header(archive, entry), "archive_write_header(\(member.name))")
            let written = member.bytes.withUnsafeBytes { raw in
                raw.isEmpty ? 0 : archive_write_data(archive, raw.baseAddress, raw.count)
            }
            if written != member.bytes.count {
                try check(Int32(truncatingIfNeeded: min(written, -30)), "archive_write_data(\(member.name))")
            }
        }
        try check(archive_write_close(archive), "archive_write_close")
    }
}
