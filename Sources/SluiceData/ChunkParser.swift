#if canImport(Glibc)
import Glibc
#endif

/// What a column is parsed as.
public enum ColumnKind: String, Sendable, Codable {
    case numeric
    case categorical
}

/// A problem found inside a chunk, with the line counted from the chunk's
/// start; the reader turns it into an ``IngestError`` once earlier chunks'
/// line counts are known.
struct ChunkFailure: Error {
    enum Kind {
        /// Bad content: the parse stops with this error.
        case malformed(found: String?, expected: String)
        /// A column assumed numeric holds text: the reader re-reads with it categorical.
        case notNumeric(found: String)
    }
    var kind: Kind
    /// Line breaks consumed in the chunk before the failing row's first line.
    var relativeLine: Int
    /// 1-based column.
    var column: Int?
}

/// One parsed chunk: per-column pieces allocated with `malloc`. A chunk slot
/// is reused window after window (``prepare(kinds:capacity:)``), so its pages
/// are faulted in once; the reader copies each window's rows out of it.
final class ChunkOutput: @unchecked Sendable {
    var rows = 0
    /// Line breaks consumed, quoted ones included.
    var lines = 0
    var numeric: [UnsafeMutablePointer<Float>?]
    var codes: [UnsafeMutablePointer<Int32>?]
    var dictionaries: [ByteDictionary]
    /// Per row: line breaks before the row's first line, counted from the chunk's start.
    var rowLines: UnsafeMutablePointer<UInt32>?
    var failure: ChunkFailure?
    /// Rows the pieces have room for.
    private(set) var capacity = 0

    init(width: Int) {
        numeric = Array(repeating: nil, count: width)
        codes = Array(repeating: nil, count: width)
        dictionaries = Array(repeating: ByteDictionary(), count: width)
    }

    /// Empties the slot for a new chunk with room for `capacity` rows, keeping
    /// the pieces it has when they are large enough.
    func prepare(kinds: [ColumnKind], capacity needed: Int) {
        rows = 0
        lines = 0
        failure = nil
        for column in kinds.indices { dictionaries[column] = ByteDictionary() }
        if needed <= capacity { return }
        release()
        for column in kinds.indices {
            switch kinds[column] {
            case .numeric: numeric[column] = malloc(needed * 4)!.assumingMemoryBound(to: Float.self)
            case .categorical: codes[column] = malloc(needed * 4)!.assumingMemoryBound(to: Int32.self)
            }
        }
        rowLines = malloc(needed * 4)!.assumingMemoryBound(to: UInt32.self)
        capacity = needed
    }

    /// Frees the pieces.
    func release() {
        for index in numeric.indices {
            free(numeric[index]); numeric[index] = nil
            free(codes[index]); codes[index] = nil
        }
        free(rowLines); rowLines = nil
        capacity = 0
    }

    deinit { release() }
}

/// The hot loop: parses whole rows of a byte range straight into column
/// pieces. Numbers go through ``FloatParser`` directly from the bytes; a field
/// takes the general path (quotes, spaces, missing tokens) only when the fast
/// one does not apply.
struct ChunkParser {
    let delimiter: UInt8
    let kinds: [ColumnKind]
    let missing: MissingTokens
    let maxFieldLength: Int

    static let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")

    /// Parses the rows in `base[start..<stop]` (`stop` is a row boundary or
    /// the end of the input) into `out`. A row boundary is just past a
    /// newline; the end of the input is followed by a NUL, so numbers can be
    /// scanned without bounds checks (see ``FloatParser/parseTerminated(_:)``).
    func parse(_ base: UnsafePointer<UInt8>, start: Int, stop: Int, into out: ChunkOutput) {
        let width = kinds.count
        // Every row has at least `width` bytes (its delimiters and line end).
        out.prepare(kinds: kinds, capacity: (stop - start) / max(width, 1) + 2)
        var rows = 0
        var line = 0
        var p = base + start
        let end = base + stop
        let delimiter = self.delimiter
        // Plain pointer tables for the loop, so it does no array bookkeeping per field.
        let numericColumns = UnsafeMutablePointer<UnsafeMutablePointer<Float>?>.allocate(capacity: width)
        let codeColumns = UnsafeMutablePointer<UnsafeMutablePointer<Int32>?>.allocate(capacity: width)
        let kindIsNumeric = UnsafeMutablePointer<Bool>.allocate(capacity: width)
        defer { numericColumns.deallocate(); codeColumns.deallocate(); kindIsNumeric.deallocate() }
        for column in 0..<width {
            numericColumns[column] = out.numeric[column]
            codeColumns[column] = out.codes[column]
            kindIsNumeric[column] = kinds[column] == .numeric
        }
        var dictionaries = out.dictionaries
        defer { out.dictionaries = dictionaries }
        let rowLines = out.rowLines!
        do {
            rowLoop: while p < end {
                // Blank lines are skipped.
                let first = p.pointee
                if first == Self.newline { p += 1; line += 1; continue }
                if first == Self.carriage, p + 1 < end, p[1] == Self.newline { p += 2; line += 1; continue }
                rowLines[rows] = UInt32(truncatingIfNeeded: line)
                let rowLine = line
                for column in 0..<width {
                    let last = column == width - 1
                    if kindIsNumeric[column] {
                        if p < end, p.pointee != Self.quote, let (value, after) = FloatParser.parseTerminated(p) {
                            if !last, after < end, after.pointee == delimiter {
                                // The usual field: a number and a delimiter; on to the next.
                                numericColumns[column]![rows] = value
                                p = after + 1
                                continue
                            }
                            if last, after == end || after.pointee == Self.newline || after.pointee == Self.carriage {
                                numericColumns[column]![rows] = value
                                p = after
                            } else {
                                numericColumns[column]![rows] = try slowNumeric(&p, end, &line, rowLine: rowLine,
                                                                                column: column)
                            }
                        } else {
                            numericColumns[column]![rows] = try slowNumeric(&p, end, &line, rowLine: rowLine, column: column)
                        }
                    } else {
                        codeColumns[column]![rows] = try category(&p, end, &line, rowLine: rowLine, column: column,
                                                                   dictionary: &dictionaries[column])
                    }
                    // What follows the field.
                    if !last {
                        if p < end, p.pointee == delimiter { p += 1; continue }
                        throw ChunkFailure(kind: .malformed(found: "\(column + 1) fields",
                                                            expected: "\(width) fields as in the header"),
                                           relativeLine: rowLine, column: nil)
                    }
                    if p == end { break }
                    let byte = p.pointee
                    if byte == Self.newline { p += 1; line += 1; break }
                    if byte == Self.carriage {
                        if p + 1 == end { p += 1; break }
                        if p[1] == Self.newline { p += 2; line += 1; break }
                    }
                    // More fields than the header names: count them for the message.
                    var fields = width
                    var scan = p
                    while scan < end, scan.pointee != Self.newline {
                        if scan.pointee == delimiter { fields += 1 }
                        scan += 1
                    }
                    throw ChunkFailure(kind: .malformed(found: "\(fields) fields", expected: "\(width) fields as in the header"),
                                       relativeLine: rowLine, column: nil)
                }
                rows += 1
            }
        } catch let failure as ChunkFailure {
            out.failure = failure
        } catch {
            out.failure = ChunkFailure(kind: .malformed(found: nil, expected: "\(error)"), relativeLine: line, column: nil)
        }
        out.rows = rows
        out.lines = line
    }

    /// A numeric field the fast path did not take: quoted, padded, missing, or not a number.
    @inline(never)
    func slowNumeric(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ line: inout Int,
                     rowLine: Int, column: Int) throws -> Float {
        let field = try scanField(&p, end, &line, rowLine: rowLine, column: column)
        if isMissing(field) { return .nan }
        if !field.escaped, field.count > 0,
           let (value, after) = FloatParser.parse(field.start, field.start + field.count),
           after == field.start + field.count {
            return value
        }
        throw ChunkFailure(kind: .notNumeric(found: Self.preview(field)), relativeLine: rowLine, column: column + 1)
    }

    /// A categorical field's code in the chunk's dictionary (-1 when missing).
    @inline(__always)
    func category(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ line: inout Int,
                  rowLine: Int, column: Int, dictionary: inout ByteDictionary) throws -> Int32 {
        let field = try scanField(&p, end, &line, rowLine: rowLine, column: column)
        if isMissing(field) { return -1 }
        if !field.escaped { return dictionary.code(field.start, field.count) }
        // Undo doubled quotes before encoding.
        var text: [UInt8] = []
        text.reserveCapacity(field.count)
        var index = 0
        while index < field.count {
            let byte = field.start[index]
            text.append(byte)
            index += byte == Self.quote && index + 1 < field.count && field.start[index + 1] == Self.quote ? 2 : 1
        }
        return text.withUnsafeBufferPointer { dictionary.code($0.baseAddress!, $0.count) }
    }

    /// A field's bytes: for quoted fields the text between the quotes, for
    /// unquoted ones with surrounding spaces trimmed.
    struct Field {
        var start: UnsafePointer<UInt8>
        var count: Int
        var quoted: Bool
        var escaped: Bool
    }

    /// Scans one field from `p`, leaving `p` on the byte after it (a delimiter, line end or the end).
    @inline(__always)
    func scanField(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ line: inout Int,
                   rowLine: Int, column: Int) throws -> Field {
        if p < end, p.pointee == Self.quote {
            let quoteLine = line
            p += 1
            let start = p
            var escaped = false
            while true {
                guard p < end else {
                    throw ChunkFailure(kind: .malformed(found: "the end of the file",
                                                        expected: "a closing quote for the field opened on this line"),
                                       relativeLine: quoteLine, column: column + 1)
                }
                let byte = p.pointee
                if byte == Self.quote {
                    if p + 1 < end, p[1] == Self.quote { escaped = true; p += 2; continue }
                    break
                }
                if byte == Self.newline { line += 1 }
                p += 1
            }
            let field = Field(start: start, count: p - start, quoted: true, escaped: escaped)
            p += 1
            if p < end {
                let byte = p.pointee
                let lineEnd = byte == Self.newline || (byte == Self.carriage && (p + 1 == end || p[1] == Self.newline))
                if byte != delimiter && !lineEnd {
                    throw ChunkFailure(kind: .malformed(found: "'\(Character(Unicode.Scalar(byte)))' after a closing quote",
                                                        expected: "a delimiter or the end of the line"),
                                       relativeLine: line, column: column + 1)
                }
            }
            try checkLength(field, rowLine: rowLine, column: column)
            return field
        }
        var low = p
        while p < end {
            let byte = p.pointee
            if byte == delimiter || byte == Self.newline { break }
            if byte == Self.carriage, p + 1 == end || p[1] == Self.newline { break }
            p += 1
        }
        var high = p
        while low < high, low.pointee == UInt8(ascii: " ") { low += 1 }
        while high > low, high[-1] == UInt8(ascii: " ") { high -= 1 }
        let field = Field(start: low, count: high - low, quoted: false, escaped: false)
        try checkLength(field, rowLine: rowLine, column: column)
        return field
    }

    @inline(__always)
    func checkLength(_ field: Field, rowLine: Int, column: Int) throws {
        if field.count > maxFieldLength {
            throw ChunkFailure(kind: .malformed(found: "a field of \(field.count) bytes",
                                                expected: "fields of at most \(maxFieldLength) bytes (limits.max_field_bytes)"),
                               relativeLine: rowLine, column: column + 1)
        }
    }

    @inline(__always)
    func isMissing(_ field: Field) -> Bool {
        if field.quoted && field.count > 0 { return false }
        if field.count == 0 { return true }
        if field.count > missing.longest || !missing.firstBytes[Int(field.start.pointee)] { return false }
        return missing.tokens.contains(Array(UnsafeBufferPointer(start: field.start, count: field.count)))
    }

    /// The field's first 40 bytes in single quotes, escaped to one line (``MessageText``).
    static func preview(_ field: Field) -> String {
        let text = String(decoding: UnsafeBufferPointer(start: field.start, count: min(field.count, 40)), as: UTF8.self)
        return "'" + MessageText.escaped(text) + (field.count > 40 ? "…" : "") + "'"
    }
}
