import CZlib
import Foundation
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// The parsed table of an archived drop, kept beside it so a training
/// window reads history instead of parsing it again (docs/ingest.md, "The
/// column cache"). One file per drop, `<archive>/.columns/<sha256>.sluicecol`:
///
///     "SLCOLS01"  u32 version  u32 header length  header (JSON)  zero pad to 64
///     per column: rows × 4 bytes (Float32 values, or Int32 codes), zero pad to 64
///     rows × 8 bytes: each row's line in the CSV (Int64)
///     "SLCOLEND"  u64 body length  u32 adler-32 of the body
///
/// little-endian throughout. The header names the CSV's SHA-256, the parse
/// options that shape the table, and each column's name, type and (for
/// categorical columns) dictionary. A file that is missing, of another
/// version, for other content or options, truncated or whose checksum does
/// not match is never trusted: ``load(_:sha256:options:)`` says why, and the
/// caller parses the CSV again and rewrites it.
public enum ColumnCache {
    public static let version: UInt32 = 1
    static let magic = Array("SLCOLS01".utf8)
    static let endMagic = Array("SLCOLEND".utf8)
    static let alignment = 64

    struct Header: Codable {
        struct Column: Codable {
            var name: String
            var type: String
            var dictionary: [String]?
        }
        var sourceSHA256: String
        var options: String
        var rows: Int
        var columns: [Column]
    }

    /// Where the cache of the archived drop `archivedPath` (named by its SHA-256) is.
    public static func path(forArchived archivedPath: String, sha256: String) -> String {
        FileSystem.directory(of: archivedPath) + "/.columns/" + sha256 + ".sluicecol"
    }

    /// The cache of an archived drop file named `<sha256>.<extension>` (what
    /// retention removes with it); nil for a file not so named.
    public static func path(forArchived archivedPath: String) -> String? {
        let name = FileSystem.baseName(archivedPath)
        let sha = name.prefix(64)
        guard sha.count == 64, sha.allSatisfy(\.isHexDigit) else { return nil }
        return path(forArchived: archivedPath, sha256: String(sha))
    }

    /// What of `options` shapes the parsed table (limits only refuse drops).
    public static func fingerprint(_ options: CSVOptions) -> String {
        let delimiter = options.delimiter.map { String($0) } ?? "sniffed"
        return "delimiter=\(delimiter);missing=" + options.missingTokens.sorted().joined(separator: "\u{1F}")
    }

    /// Writes `table`, parsed from the CSV whose SHA-256 is `sha256`, to `path`
    /// (the safe way); returns its checksum, `adler32:<hex>:<bytes>`, for the ledger.
    @discardableResult
    public static func write(_ table: Table, sha256: String, options: CSVOptions, to path: String) throws -> String {
        let header = Header(sourceSHA256: sha256, options: fingerprint(options), rows: table.rowCount,
                            columns: table.columns.map { column in
                                switch column.values {
                                case .numeric: Header.Column(name: column.name, type: "numeric", dictionary: nil)
                                case .categorical(let storage):
                                    Header.Column(name: column.name, type: "categorical", dictionary: storage.dictionary)
                                }
                            })
        let json = Array(try JSONEncoder().encode(header))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + json.count + table.columns.count * (table.rowCount * 4 + alignment)
                              + table.rowCount * 8 + 32)
        bytes += magic
        append(version, to: &bytes)
        append(UInt32(json.count), to: &bytes)
        bytes += json
        pad(&bytes)
        for column in table.columns {
            switch column.values {
            case .numeric(let storage): bytes += UnsafeRawBufferPointer(storage.values)
            case .categorical(let storage): bytes += UnsafeRawBufferPointer(storage.codes)
            }
            pad(&bytes)
        }
        table.rowLines.withUnsafeBytes { bytes += $0 }
        let body = bytes.count
        let checksum = bytes.withUnsafeBufferPointer { adler(UnsafeRawBufferPointer($0)) }
        bytes += endMagic
        append(UInt64(body), to: &bytes)
        append(checksum, to: &bytes)
        try FileSystem.createDirectory(FileSystem.directory(of: path))
        try FileSystem.writeAtomically(bytes, to: path)
        return checksumText(checksum, bytes: bytes.count)
    }

    static func checksumText(_ adler: UInt32, bytes: Int) -> String {
        "adler32:\(String(adler, radix: 16)):\(bytes)"
    }

    /// The table kept at `path`, when it is a whole, current cache of the CSV
    /// `sha256` parsed with `options`.
    /// - Throws: ``ColumnCacheError`` saying why it cannot be used.
    public static func load(_ path: String, sha256: String, options: CSVOptions, checksum expected: String? = nil) throws -> Table {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ColumnCacheError(path, "cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ColumnCacheError(path, "cannot be read") }
        let size = Int(info.st_size)
        guard size >= 16 + 20 else { throw ColumnCacheError(path, "is \(size) bytes: too short to be a column cache") }
        guard let region = MappedRegion(fd: fd, size: size) else {
            throw ColumnCacheError(path, "cannot be mapped (\(String(cString: strerror(errno))))")
        }
        let file = region.bytes
        if let expected {
            let stored = file.loadUnaligned(fromByteOffset: size - 4, as: UInt32.self).littleEndian
            guard checksumText(stored, bytes: size) == expected else {
                throw ColumnCacheError(path, "is not the cache the ledger recorded for this drop (\(checksumText(stored, bytes: size)), recorded \(expected))")
            }
        }
        return try decode(file, path: path, sha256: sha256, options: options, region: region)
    }

    /// The table in `file`; its columns view `region` (the mapping `file` is
    /// in) when given, else they are copied out.
    static func decode(_ file: UnsafeRawBufferPointer, path: String, sha256: String, options: CSVOptions,
                       region: MappedRegion? = nil) throws -> Table {
        guard Array(file[0..<8]) == magic else { throw ColumnCacheError(path, "is not a sluice column cache") }
        let fileVersion = file.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
        guard fileVersion == version else {
            throw ColumnCacheError(path, "is version \(fileVersion); this sluice writes version \(version)")
        }
        let trailer = file.count - 20
        guard Array(file[trailer..<trailer + 8]) == endMagic,
              Int(file.loadUnaligned(fromByteOffset: trailer + 8, as: UInt64.self).littleEndian) == trailer else {
            throw ColumnCacheError(path, "is cut short or padded (its trailer is not where its length says)")
        }
        let stored = file.loadUnaligned(fromByteOffset: trailer + 16, as: UInt32.self).littleEndian
        let computed = adler(UnsafeRawBufferPointer(rebasing: file[0..<trailer]))
        guard stored == computed else {
            throw ColumnCacheError(path, "fails its checksum (adler-32 \(String(stored, radix: 16)) stored, \(String(computed, radix: 16)) computed)")
        }
        let headerLength = Int(file.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
        guard 16 + headerLength <= trailer else { throw ColumnCacheError(path, "has a header longer than the file") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(file[16..<16 + headerLength]))
        } catch {
            throw ColumnCacheError(path, "has a header that cannot be read: \(error)")
        }
        guard header.sourceSHA256 == sha256 else {
            throw ColumnCacheError(path, "is of content \(header.sourceSHA256.prefix(12))…, not \(sha256.prefix(12))…")
        }
        guard header.options == fingerprint(options) else {
            throw ColumnCacheError(path, "was parsed with other options (\(header.options))")
        }
        let rows = header.rows
        var offset = aligned(16 + headerLength)
        let expected = offset + header.columns.count * aligned(rows * 4) + rows * 8
        guard expected == trailer else {
            throw ColumnCacheError(path, "holds \(trailer) bytes of body; \(rows) rows × \(header.columns.count) columns need \(expected)")
        }
        var columns: [TableColumn] = []
        for column in header.columns {
            let source = UnsafeRawBufferPointer(rebasing: file[offset..<offset + rows * 4])
            switch (column.type, column.dictionary) {
            case ("numeric", _):
                if let region {
                    let view = UnsafeMutableBufferPointer(start: UnsafeMutableRawPointer(mutating: source.baseAddress!)
                        .assumingMemoryBound(to: Float.self), count: rows)
                    columns.append(TableColumn(name: column.name, values: .numeric(NumericStorage(viewing: view, owner: region))))
                } else {
                    let storage = NumericStorage(uninitializedCount: rows)
                    UnsafeMutableRawBufferPointer(storage.values).copyMemory(from: source)
                    columns.append(TableColumn(name: column.name, values: .numeric(storage)))
                }
            case ("categorical", let dictionary?):
                let codes = source.bindMemory(to: Int32.self)
                if let bad = codes.first(where: { $0 < -1 || Int($0) >= dictionary.count }) {
                    throw ColumnCacheError(path, "column \(column.name) has code \(bad) outside its dictionary of \(dictionary.count)")
                }
                let storage: CategoricalStorage
                if let region {
                    let view = UnsafeMutableBufferPointer(mutating: codes)
                    storage = CategoricalStorage(viewing: view, dictionary: dictionary, owner: region)
                } else {
                    storage = CategoricalStorage(codes: codes, dictionary: dictionary)
                }
                columns.append(TableColumn(name: column.name, values: .categorical(storage)))
            default:
                throw ColumnCacheError(path, "column \(column.name) has type '\(column.type)'")
            }
            offset += aligned(rows * 4)
        }
        let lines = [Int64](unsafeUninitializedCapacity: rows) { buffer, count in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: file[offset..<offset + rows * 8]))
            count = rows
        }
        return Table(rowCount: rows, columns: columns, rowLines: lines)
    }

    static func adler(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return UInt32(adler32_z(1, nil, 0)) }
        return UInt32(adler32_z(1, base.assumingMemoryBound(to: UInt8.self), bytes.count))
    }

    static func aligned(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }

    static func pad(_ bytes: inout [UInt8]) {
        bytes += [UInt8](repeating: 0, count: aligned(bytes.count) - bytes.count)
    }

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
