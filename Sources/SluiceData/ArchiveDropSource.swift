import CArchive
import SluiceSystem

/// A drop that is an archive (`.tar.gz`, `.tgz`, `.tar`, `.zip`) of CSV/TSV
/// files with the same header, streamed through libarchive as one text: the
/// first file's header, then every file's rows (later headers are checked
/// against the first and dropped). The archive file's bytes are hashed as
/// libarchive reads them, so the drop is still read once.
///
/// Refused, with the entry named: absolute paths, `..` components, links and
/// anything but regular files and folders, entries that are not `.csv`/`.tsv`/
/// `.txt`, a header different from the first entry's, and more than
/// `maxBytes` of decompressed content.
public final class ArchiveDropSource: ByteSource {
    /// File names treated as archive drops.
    public static func isArchive(_ name: String) -> Bool {
        let lower = name.lowercased()
        return [".tar.gz", ".tgz", ".tar", ".zip", ".tar.xz", ".tar.bz2"].contains { lower.hasSuffix($0) }
    }

    let file: String
    let inner: FileByteSource
    let maxBytes: Int64
    private let archive: OpaquePointer
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var inEntry = false
    private var finished = false
    private var entries = 0
    private var entryName = ""
    private var firstEntryName = ""
    private var firstHeader: [UInt8] = []
    private var firstHeaderDone = false
    private var pending: [UInt8] = []
    private var lastByte: UInt8 = UInt8(ascii: "\n")
    private var produced: Int64 = 0

    /// Opens `path`; `file` names the drop in errors.
    public init(path: String, file: String, maxBytes: Int64 = 8 << 30) throws {
        self.file = file
        self.maxBytes = maxBytes
        inner = try FileByteSource(path: path)
        guard let archive = archive_read_new() else {
            throw IngestError(file: file, expected: "memory for libarchive")
        }
        self.archive = archive
        readBuffer = .allocate(byteCount: 1 << 20, alignment: 16)
        archive_read_support_filter_all(archive)
        archive_read_support_format_tar(archive)
        archive_read_support_format_gnutar(archive)
        archive_read_support_format_zip(archive)
        let status = archive_read_open(archive, Unmanaged.passUnretained(self).toOpaque(), nil, { _, context, buffer in
            let me = Unmanaged<ArchiveDropSource>.fromOpaque(context!).takeUnretainedValue()
            guard let count = try? me.inner.read(into: me.readBuffer) else { return -1 }
            buffer?.pointee = UnsafeRawPointer(me.readBuffer.baseAddress)
            return count
        }, nil)
        if status != ARCHIVE_OK {
            let message = archive_error_string(archive).map { String(cString: $0) } ?? "status \(status)"
            archive_read_free(archive)
            readBuffer.deallocate()
            throw IngestError(file: file, found: message, expected: "a tar or zip archive libarchive can read")
        }
    }

    deinit {
        archive_read_free(archive)
        readBuffer.deallocate()
    }

    public var sha256: String { inner.sha256 }
    public var rawBytes: Int64 { inner.rawBytes }

    /// An estimate from the text produced per archive byte read so far, so the
    /// reader's columns are sized once instead of doubling from a guess.
    public var expectedBytes: Int64? {
        Self.extrapolatedText(fileBytes: inner.expectedBytes, textSoFar: produced, readSoFar: inner.rawBytes)
    }

    private func libarchiveMessage() -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        let out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while filled < buffer.count {
            if !pending.isEmpty {
                let count = min(pending.count, buffer.count - filled)
                for index in 0..<count { out[filled + index] = pending[index] }
                pending.removeFirst(count)
                filled += count
                continue
            }
            if finished { break }
            if !inEntry {
                guard try openNextEntry() else {
                    finished = true
                    // Hash whatever libarchive did not need (trailers, a zip's central directory).
                    while try inner.read(into: readBuffer) > 0 {}
                    break
                }
                continue
            }
            let count = archive_read_data(archive, out + filled, buffer.count - filled)
            if count < 0 {
                throw IngestError(file: file, found: "\(entryName): \(libarchiveMessage())", expected: "a readable archive entry")
            }
            if count == 0 { inEntry = false; continue }
            try account(count)
            if !firstHeaderDone { captureHeader(UnsafeBufferPointer(start: out + filled, count: count)) }
            lastByte = out[filled + count - 1]
            filled += count
        }
        if finished, entries == 0 {
            throw IngestError(file: file, expected: "at least one CSV or TSV file in the archive, found none")
        }
        return filled
    }

    private func account(_ count: Int) throws {
        produced += Int64(count)
        if produced > maxBytes {
            throw IngestError(file: file, found: "more than \(maxBytes) bytes after decompression (at \(entryName))",
                              expected: "an archive whose contents total at most \(maxBytes) bytes (limits.max_drop_bytes)")
        }
    }

    private func captureHeader(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            firstHeader.append(contentsOf: bytes[..<newline])
            firstHeaderDone = true
        } else {
            firstHeader.append(contentsOf: bytes)
        }
    }

    /// Moves to the next CSV entry, checking it; false at the end of the archive.
    private func openNextEntry() throws -> Bool {
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { return false }
            guard status >= ARCHIVE_WARN, let entry else {
                throw IngestError(file: file, found: libarchiveMessage(), expected: "a readable archive")
            }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let type = archive_entry_filetype(entry)
            if name.hasPrefix("/") || name.split(separator: "/").contains("..") {
                throw IngestError(file: file, found: "entry '\(name)'", expected: "relative entry paths without '..'")
            }
            if archive_entry_hardlink(entry) != nil || archive_entry_symlink(entry) != nil || type == 0o120000 {
                throw IngestError(file: file, found: "entry '\(name)' is a link", expected: "regular files only")
            }
            if type == 0o040000 { continue }  // folders
            guard type == 0o100000 else {
                throw IngestError(file: file, found: "entry '\(name)' (file type \(String(type, radix: 8)))", expected: "regular files only")
            }
            let lower = name.lowercased()
            guard [".csv", ".tsv", ".txt"].contains(where: { lower.hasSuffix($0) }) else {
                throw IngestError(file: file, found: "entry '\(name)'", expected: "only .csv, .tsv or .txt files in the archive")
            }
            if archive_entry_size_is_set(entry) != 0, produced + archive_entry_size(entry) > maxBytes {
                throw IngestError(file: file, found: "entry '\(name)' of \(archive_entry_size(entry)) bytes (total past \(maxBytes))",
                                  expected: "an archive whose contents total at most \(maxBytes) bytes (limits.max_drop_bytes)")
            }
            entries += 1
            entryName = name
            inEntry = true
            if entries == 1 {
                firstEntryName = name
                return true
            }
            if !firstHeaderDone {
                throw IngestError(file: file, found: "entry '\(firstEntryName)' without a complete header line",
                                  expected: "a header line in every archive entry")
            }
            try skipHeader()
            return true
        }
    }

    /// Reads the entry's header line, checks it against the first entry's, and
    /// keeps what follows it as pending output.
    private func skipHeader() throws {
        var header: [UInt8] = []
        var rest: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count < 0 {
                throw IngestError(file: file, found: "\(entryName): \(libarchiveMessage())", expected: "a readable archive entry")
            }
            if count == 0 { inEntry = false; break }
            try account(count)
            if let newline = chunk[..<count].firstIndex(of: UInt8(ascii: "\n")) {
                header.append(contentsOf: chunk[..<newline])
                rest.append(contentsOf: chunk[(newline + 1)..<count])
                break
            }
            header.append(contentsOf: chunk[..<count])
            if header.count > 1 << 20 { break }
        }
        func trimmed(_ line: [UInt8]) -> [UInt8] {
            var line = line
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return line
        }
        if trimmed(header) != trimmed(firstHeader) {
            throw IngestError(file: file, found: "entry '\(entryName)' with header '\(String(decoding: trimmed(header), as: UTF8.self))'",
                              expected: "the header of '\(firstEntryName)': '\(String(decoding: trimmed(firstHeader), as: UTF8.self))'")
        }
        if lastByte != UInt8(ascii: "\n") { pending.append(UInt8(ascii: "\n")) }
        pending.append(contentsOf: rest)
        if let last = rest.last { lastByte = last } else { lastByte = UInt8(ascii: "\n") }
    }
}
