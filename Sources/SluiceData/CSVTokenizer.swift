#if canImport(Glibc)
import Glibc
#endif

/// The configured missing-value tokens, with what a quick rejection needs.
struct MissingTokens {
    let tokens: Set<[UInt8]>
    let longest: Int
    /// Whether some token starts with this byte.
    let firstBytes: [Bool]

    init(_ texts: Set<String>) {
        tokens = Set(texts.map { Array($0.utf8) })
        longest = tokens.map(\.count).max() ?? 0
        var first = [Bool](repeating: false, count: 256)
        for token in tokens { if let byte = token.first { first[Int(byte)] = true } }
        firstBytes = first
    }
}

/// A field found by ``CSVTokenizer``: a byte range, and whether it was quoted.
struct CSVField {
    var start: Int
    var length: Int
    var quoted: Bool
    var escapedQuotes: Bool
}

/// Splits delimited bytes into rows of fields, tracking line numbers.
struct CSVTokenizer {
    let buffer: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let maxFieldLength: Int
    let file: String
    private(set) var position: Int
    private(set) var line = 1
    private(set) var fields: [CSVField] = []

    init(buffer: UnsafeBufferPointer<UInt8>, start: Int, delimiter: UInt8, maxFieldLength: Int, file: String) {
        self.buffer = buffer
        self.position = start
        self.delimiter = delimiter
        self.maxFieldLength = maxFieldLength
        self.file = file
    }

    mutating func rewind(to position: Int, line: Int) {
        self.position = position
        self.line = line
    }

    /// Reads the next non-blank row into ``fields``; returns the line it starts on, nil at the end.
    mutating func nextRow() throws -> Int? {
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        // Skip blank lines.
        while position < buffer.count {
            if buffer[position] == newline { position += 1; line += 1; continue }
            if buffer[position] == carriage, position + 1 < buffer.count, buffer[position + 1] == newline {
                position += 2; line += 1; continue
            }
            break
        }
        guard position < buffer.count else { return nil }
        let rowLine = line
        fields.removeAll(keepingCapacity: true)
        while true {
            var field = CSVField(start: position, length: 0, quoted: false, escapedQuotes: false)
            if position < buffer.count, buffer[position] == quote {
                field.quoted = true
                let quoteLine = line
                position += 1
                field.start = position
                while true {
                    guard position < buffer.count else {
                        throw IngestError(file: file, line: quoteLine, column: fields.count + 1,
                                          expected: "a closing quote for the field opened here, found the end of the file")
                    }
                    let byte = buffer[position]
                    if byte == quote {
                        if position + 1 < buffer.count, buffer[position + 1] == quote {
                            field.escapedQuotes = true
                            position += 2
                            continue
                        }
                        field.length = position - field.start
                        position += 1
                        break
                    }
                    if byte == newline { line += 1 }
                    position += 1
                }
                // After the closing quote: a delimiter, end of line, or end of file.
                if position < buffer.count {
                    let byte = buffer[position]
                    let atCRLF = byte == carriage && position + 1 < buffer.count && buffer[position + 1] == newline
                    if byte != delimiter && byte != newline && !atCRLF && !(byte == carriage && position + 1 == buffer.count) {
                        throw IngestError(file: file, line: line, column: fields.count + 1,
                                          found: "'\(Character(Unicode.Scalar(byte)))' after a closing quote",
                                          expected: "a delimiter or the end of the line")
                    }
                }
            } else {
                while position < buffer.count {
                    let byte = buffer[position]
                    if byte == delimiter || byte == newline { break }
                    if byte == carriage, position + 1 >= buffer.count || buffer[position + 1] == newline { break }
                    position += 1
                }
                field.length = position - field.start
            }
            if field.length > maxFieldLength {
                throw IngestError(file: file, line: rowLine, column: fields.count + 1,
                                  found: "a field of \(field.length) bytes",
                                  expected: "fields of at most \(maxFieldLength) bytes")
            }
            fields.append(field)
            guard position < buffer.count else { return rowLine }
            let byte = buffer[position]
            if byte == delimiter { position += 1; continue }
            if byte == carriage { position += 1 }
            if position < buffer.count, buffer[position] == newline { position += 1; line += 1 }
            return rowLine
        }
    }

    /// The range of a field with surrounding spaces trimmed (unquoted fields only).
    func trimmedRange(_ field: CSVField) -> Range<Int> {
        var low = field.start, high = field.start + field.length
        if field.quoted { return low..<high }
        while low < high, buffer[low] == UInt8(ascii: " ") { low += 1 }
        while high > low, buffer[high - 1] == UInt8(ascii: " ") { high -= 1 }
        return low..<high
    }

    /// The field's text with doubled quotes undone.
    func text(_ field: CSVField) -> String {
        var bytes: [UInt8] = []
        var index = trimmedRange(field).lowerBound
        let end = trimmedRange(field).upperBound
        while index < end {
            bytes.append(buffer[index])
            let doubled = field.escapedQuotes && buffer[index] == UInt8(ascii: "\"") && index + 1 < end
                && buffer[index + 1] == UInt8(ascii: "\"")
            index += doubled ? 2 : 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

