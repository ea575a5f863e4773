/// `profile.json` (format `version: 1`, documented in docs/ingest.md): what a
/// drop looks like, column by column. The validate stage writes it; the
/// pinned schema is the first approved drop's profile (or the config's
/// `schema:`, written in the same form), and drift compares a drop with the
/// champion's training profile. Stored in the ledger as compact JSON.
public struct Profile: Codable, Equatable, Sendable {
    public var version = 1
    public var rows: Int
    public var duplicateRows: Int
    public var columns: [ColumnProfile]

    public init(rows: Int, duplicateRows: Int, columns: [ColumnProfile]) {
        self.rows = rows
        self.duplicateRows = duplicateRows
        self.columns = columns
    }

    public func column(_ name: String) -> ColumnProfile? { columns.first { $0.name == name } }

    /// Every column by name (the first of a repeated name), for lookups in a
    /// loop over thousands of columns, where ``column(_:)`` would be quadratic.
    public var byName: [String: ColumnProfile] {
        Dictionary(columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Compact, sorted, snake_case: the form kept in the ledger and handed to stages.
    public func encoded() throws -> [UInt8] { Array(try FormatCoding.compactEncoder().encode(self)) }

    /// Reads a profile or pinned schema.
    /// - Throws: ``FormatError`` naming `file` and what is wrong.
    public static func decode(_ bytes: [UInt8], file: String) throws -> Profile {
        try FormatCoding.decode(Profile.self, from: bytes, file: file)
    }
}
