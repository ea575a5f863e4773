import CArchive

/// Reads the regular files of an archive (any format and filter libarchive knows).
public enum ArchiveReader {
    /// Every regular-file member of the archive at `path`, in archive order.
    /// - Throws: ``ArchiveError`` when the file is not a readable archive.
    public static func members(of path: String) throws -> [ArchiveMember] {
        guard let archive = archive_read_new() else {
            throw ArchiveError(operation: "archive_read_new", path: path, message: "out of memory")
        }
        defer { archive_read_free(archive) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_all(archive)
        func message() -> String { archive_error_string(archive).map { String(cString: $0) } ?? "unknown error" }
        guard archive_read_open_filename(archive, path, 1 << 16) == ARCHIVE_OK else {
            throw ArchiveError(operation: "archive_read_open_filename", path: path, message: message())
        }
        var members: [ArchiveMember] = []
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry else {
                throw ArchiveError(operation: "archive_read_next_header", path: path, message: message())
            }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            guard archive_entry_filetype(entry) == 0o100000 else { continue }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                if count == 0 { break }
                guard count > 0 else {
                    throw ArchiveError(operation: "archive_read_data(\(name))", path: path, message: message())
                }
                bytes.append(contentsOf: chunk[..<count])
            }
            members.append(ArchiveMember(name: name, bytes: bytes))
        }
        return members
    }
}
