/// One row a query returned: its column names and values, read by name as
/// the type the caller expects (`let id: Int64 = row["id"]`).
public struct LedgerRow: Sendable {
    public let columns: [String]
    public let values: [LedgerValue]

    public init(columns: [String], values: [LedgerValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of `column` (NULL when the row has no such column).
    public func value(_ column: String) -> LedgerValue {
        if let index = columns.firstIndex(of: column) { return values[index] }
        let lower = column.lowercased()
        return columns.firstIndex { $0.lowercased() == lower }.map { values[$0] } ?? .null
    }

    /// The value of `column` as `Value`. A NULL or mismatched value read as a
    /// non-optional type is a schema bug, not bad input: it stops with the column named.
    public subscript<Value: LedgerDecodable>(_ column: String) -> Value {
        let value = value(column)
        guard let decoded = Value.decode(value) else {
            fatalError("ledger column '\(column)' holds \(value), which is not a \(Value.self)")
        }
        return decoded
    }
}
