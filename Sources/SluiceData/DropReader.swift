import SluiceSystem

/// Reads a drop file: its bytes once, their SHA-256, gzip if compressed, and
/// the table. TSV is chosen by extension, otherwise the delimiter is sniffed.
public enum DropReader {
    /// What reading a drop produced.
    public struct Result: Sendable {
        public let table: Table
        /// SHA-256 of the file's bytes as dropped (compressed, if it was).
        public let sha256: String
        /// Size of the file as dropped.
        public let sizeBytes: Int64
    }

    /// Reads `path`; `displayName` is how errors name the file.
    /// - Throws: ``IngestError`` for content problems; ``SystemError`` when the file cannot be read.
    public static func read(_ path: String, displayName: String? = nil, options: CSVOptions = CSVOptions()) throws -> Result {
        let name = displayName ?? FileSystem.baseName(path)
        let raw = try FileSystem.read(path)
        let sha = ContentHash.sha256(raw)
        var text = raw
        var plainName = name
        if Gzip.isCompressed(raw) {
            text = try Gzip.decompress(raw, file: name)
            if plainName.hasSuffix(".gz") { plainName.removeLast(3) }
        }
        var csvOptions = options
        if csvOptions.delimiter == nil, plainName.hasSuffix(".tsv") || plainName.hasSuffix(".tab") {
            csvOptions.delimiter = UInt8(ascii: "\t")
        }
        let table = try CSVReader.read(text, file: name, options: csvOptions)
        return Result(table: table, sha256: sha, sizeBytes: Int64(raw.count))
    }
}
