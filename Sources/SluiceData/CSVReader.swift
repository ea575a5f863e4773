#if canImport(Glibc)
import Glibc
#endif

/// Options for reading delimited text.
public struct CSVOptions: Sendable {
    /// Field delimiter; nil sniffs it from the header line (`,` `\t` `;` `|`).
    public var delimiter: UInt8?
    /// Field texts that mean "missing" (compared after trimming spaces).
    public var missingTokens: Set<String>
    /// Longest field accepted, in bytes.
    public var maxFieldLength: Int

    public init(delimiter: UInt8? = nil,
                missingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"],
                maxFieldLength: Int = 1 << 20) {
        self.delimiter = delimiter
        self.missingTokens = missingTokens
        self.maxFieldLength = maxFieldLength
    }
}

/// Reads RFC 4180 delimited text (quoted fields, doubled quotes, delimiters and
/// newlines inside quotes, CRLF or LF, optional UTF-8 BOM) with a header row
/// into a ``Table``. A column is numeric when every non-missing field in it
/// parses as a number; otherwise it is categorical.
///
/// The first pass checks the shape and parses numbers once, keeping them for
/// columns that stay numeric; a second pass over the bytes runs only when
/// some column turned out categorical, and only fills those columns.
public enum CSVReader {
    /// Parses `bytes` (already decompressed). `file` names the drop in errors.
    /// - Throws: ``IngestError`` with file, line, column and what was expected.
    public static func read(_ bytes: [UInt8], file: String, options: CSVOptions = CSVOptions()) throws -> Table {
        try bytes.withUnsafeBufferPointer { (buffer) throws -> Table in
            try read(buffer, file: file, options: options)
        }
    }

    static func read(_ buffer: UnsafeBufferPointer<UInt8>, file: String, options: CSVOptions) throws -> Table {
        var start = 0
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        let delimiter = options.delimiter ?? sniffDelimiter(buffer, from: start)
        var tokenizer = CSVTokenizer(buffer: buffer, start: start, delimiter: delimiter,
                                     maxFieldLength: options.maxFieldLength, file: file)
        let missing = MissingTokens(options.missingTokens)

        guard let headerLine = try tokenizer.nextRow() else {
            throw IngestError(file: file, line: 1, expected: "a header row naming the columns, found an empty file")
        }
        let names = tokenizer.fields.map { tokenizer.text($0) }
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if name.isEmpty {
                throw IngestError(file: file, line: headerLine, column: index + 1,
                                  expected: "a column name in the header, found an empty one")
            }
            if let first = seen[name] {
                throw IngestError(file: file, line: headerLine, column: index + 1, columnName: name,
                                  expected: "unique column names (also column \(first + 1))")
            }
            seen[name] = index
        }
        let width = names.count

        // Pass 1: shape, types, and the numbers themselves.
        var numeric = [Bool](repeating: true, count: width)
        var parsed = [[Float]](repeating: [], count: width)
        var rowLines: [Int64] = []
        let bodyStart = tokenizer.position
        let bodyLine = tokenizer.line
        while let line = try tokenizer.nextRow() {
            if tokenizer.fields.count != width {
                throw IngestError(file: file, line: line, found: "\(tokenizer.fields.count) fields",
                                  expected: "\(width) fields as in the header")
            }
            rowLines.append(Int64(line))
            for column in 0..<width where numeric[column] {
                let field = tokenizer.fields[column]
                if isMissing(field, tokenizer: tokenizer, missing: missing) {
                    parsed[column].append(.nan)
                } else if let value = parseNumber(field, tokenizer: tokenizer) {
                    parsed[column].append(value)
                } else {
                    numeric[column] = false
                    parsed[column] = []
                }
            }
        }
        let rowCount = rowLines.count

        // Pass 2, only for categorical columns: dictionary codes.
        let numericStorage: [NumericStorage?] = (0..<width).map { column in
            numeric[column] ? parsed[column].withUnsafeBufferPointer { NumericStorage(copying: $0) } : nil
        }
        parsed = []
        var codes: [[Int32]] = numeric.map { $0 ? [] : [Int32](repeating: -1, count: rowCount) }
        var dictionaries: [[String]] = Array(repeating: [], count: width)
        var lookups: [[String: Int32]] = Array(repeating: [:], count: width)
        let categorical = (0..<width).filter { !numeric[$0] }
        tokenizer.rewind(to: bodyStart, line: bodyLine)
        var row = 0
        while !categorical.isEmpty, try tokenizer.nextRow() != nil {
            for column in categorical {
                let field = tokenizer.fields[column]
                if isMissing(field, tokenizer: tokenizer, missing: missing) { continue }
                let text = tokenizer.text(field)
                if let code = lookups[column][text] {
                    codes[column][row] = code
                } else {
                    let code = Int32(dictionaries[column].count)
                    dictionaries[column].append(text)
                    lookups[column][text] = code
                    codes[column][row] = code
                }
            }
            row += 1
        }
        let columns = (0..<width).map { column -> TableColumn in
            if let storage = numericStorage[column] {
                return TableColumn(name: names[column], values: .numeric(storage))
            }
            return TableColumn(name: names[column],
                               values: .categorical(CategoricalStorage(codes: codes[column], dictionary: dictionaries[column])))
        }
        return Table(rowCount: rowCount, columns: columns, rowLines: rowLines)
    }

    /// Picks the delimiter that appears most often in the first line (outside quotes).
    static func sniffDelimiter(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            if !inQuotes {
                if byte == UInt8(ascii: "\n") { break }
                if let slot = candidates.firstIndex(of: byte) { counts[slot] += 1 }
            }
            index += 1
        }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }

    static func isMissing(_ field: CSVField, tokenizer: CSVTokenizer, missing: MissingTokens) -> Bool {
        if field.quoted && field.length > 0 { return false }
        let trimmed = tokenizer.trimmedRange(field)
        if trimmed.isEmpty { return true }
        // Most fields are rejected by length or first byte, without allocating.
        if trimmed.count > missing.longest || !missing.firstBytes[Int(tokenizer.buffer[trimmed.lowerBound])] { return false }
        return missing.tokens.contains(Array(tokenizer.buffer[trimmed]))
    }

    /// Parses a decimal number (optionally signed, with fraction and exponent)
    /// to the nearest Float32. Rejects hex, `inf` and trailing text.
    static func parseNumber(_ field: CSVField, tokenizer: CSVTokenizer) -> Float? {
        if field.escapedQuotes { return nil }
        let range = tokenizer.trimmedRange(field)
        if range.isEmpty || range.count > 120 { return nil }
        var digits = 0
        for index in range {
            switch tokenizer.buffer[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        if digits == 0 { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { scratch -> Float? in
            for (offset, index) in range.enumerated() { scratch[offset] = CChar(bitPattern: tokenizer.buffer[index]) }
            scratch[range.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtof(scratch.baseAddress!, &end)
            guard let end, end == scratch.baseAddress! + range.count else { return nil }
            return value
        }
    }
}

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
        let range = trimmedRange(field)
        let slice = UnsafeBufferPointer(rebasing: buffer[range])
        let raw = String(decoding: slice, as: UTF8.self)
        return field.escapedQuotes ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
