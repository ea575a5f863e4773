/// One validation finding, as `findings.json` (a list of them) holds it and
/// the ledger's `findings` table records it.
public struct Finding: Codable, Equatable, Sendable {
    public var kind: String
    /// "error" rejects the drop; "warning" is recorded.
    public var severity: String
    public var column: String?
    public var measured: String?
    public var expected: String?
    public var count: Int?
    public var examples: String?
    public var message: String

    public init(kind: String, severity: String, column: String?, measured: String?, expected: String?,
                count: Int?, examples: String?, message: String) {
        self.kind = kind
        self.severity = severity
        self.column = column
        self.measured = measured
        self.expected = expected
        self.count = count
        self.examples = examples
        self.message = message
    }

    /// Reads `findings.json`.
    public static func decodeList(_ bytes: [UInt8], file: String = "findings.json") throws -> [Finding] {
        try FormatCoding.decode([Finding].self, from: bytes, file: file)
    }
}
