/// A drop that cannot be read into a table, with where and why.
public struct IngestError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file being read.
    public let file: String
    /// 1-based line, when the problem is at a place in the file.
    public let line: Int?
    /// 1-based column number and header name, when known.
    public let column: Int?
    public let columnName: String?
    /// What was found (truncated) and what was expected.
    public let found: String?
    public let expected: String

    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
                found: String? = nil, expected: String) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.found = found.map { $0.count > 60 ? String($0.prefix(57)) + "..." : $0 }
        self.expected = expected
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        var text = place + ": "
        if let columnName { text += "column '\(columnName)': " }
        text += "expected \(expected)"
        if let found { text += ", found \(found)" }
        return text
    }
}
