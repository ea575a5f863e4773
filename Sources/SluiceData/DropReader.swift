import SluiceSystem

/// The one way to read a drop: one streaming pass over its bytes, their
/// SHA-256, gzip inflated on the way if compressed, and the table. An archive
/// of CSV files (`.tar.gz`, `.zip`, …; see ``ArchiveDropSource``) is read as
/// one table. TSV is chosen by extension, otherwise the delimiter is sniffed.
public enum DropReader {
    /// What reading a drop produced.
    public struct Result: Sendable {
        public let table: Table
        /// SHA-256 of the file's bytes as dropped (compressed, if it was).
        public let sha256: String
        /// Size of the file as dropped.
        public let sizeBytes: Int64
        public let statistics: ParseStatistics

        public init(table: Table, sha256: String, sizeBytes: Int64, statistics: ParseStatistics) {
            self.table = table
            self.sha256 = sha256
            self.sizeBytes = sizeBytes
            self.statistics = statistics
        }
    }

    /// Reads `path`; `displayName` is how errors name the file.
    /// - Throws: ``IngestError`` for content problems; ``SystemError`` when the file cannot be read.
    public static func read(_ path: String, displayName: String? = nil, options: CSVOptions = CSVOptions()) throws -> Result {
        let name = displayName ?? FileSystem.baseName(path)
        if ArchiveDropSource.isArchive(name) {
            let parsed = try CSVReader.read(file: name, options: options) { () throws -> ByteSource in
                try ArchiveDropSource(path: path, file: name, maxBytes: options.maxBytes ?? (8 << 30))
            }
            return Result(table: parsed.table, sha256: parsed.sha256, sizeBytes: parsed.statistics.rawBytes,
                          statistics: parsed.statistics)
        }
        let compressed = try isGzip(path)
        var plainName = name
        if compressed, plainName.hasSuffix(".gz") { plainName.removeLast(3) }
        var csvOptions = options
        if csvOptions.delimiter == nil, plainName.hasSuffix(".tsv") || plainName.hasSuffix(".tab") {
            csvOptions.delimiter = UInt8(ascii: "\t")
        }
        let parsed = try CSVReader.read(file: name, options: csvOptions) { () throws -> ByteSource in
            let file = try FileByteSource(path: path)
            return compressed ? try GzipByteSource(file, file: name) : file
        }
        return Result(table: parsed.table, sha256: parsed.sha256, sizeBytes: parsed.statistics.rawBytes,
                      statistics: parsed.statistics)
    }

    /// Whether the file starts with the gzip magic number.
    static func isGzip(_ path: String) throws -> Bool {
        let file = try FileByteSource(path: path)
        var magic: [UInt8] = [0, 0]
        let count = try magic.withUnsafeMutableBytes { try file.read(into: $0) }
        return count == 2 && magic[0] == 0x1f && magic[1] == 0x8b
    }
}
