/// A Swift type a ledger column can be read as (see ``LedgerRow``). Numbers
/// convert between integer and real when no precision is lost; PostgreSQL's
/// booleans arrive as 0 and 1, as SQLite stores them.
public protocol LedgerDecodable {
    /// The value as this type, or nil when it is NULL or of another kind.
    static func decode(_ value: LedgerValue) -> Self?
}

extension Int64: LedgerDecodable {
    public static func decode(_ value: LedgerValue) -> Int64? {
        switch value {
        case .integer(let number): number
        case .real(let number): number.rounded() == number && abs(number) < 9.2e18 ? Int64(number) : nil
        case .text(let text): Int64(text)
        case .null: nil
        }
    }
}

extension Int: LedgerDecodable {
    public static func decode(_ value: LedgerValue) -> Int? { Int64.decode(value).map(Int.init) }
}

extension Int32: LedgerDecodable {
    public static func decode(_ value: LedgerValue) -> Int32? { Int64.decode(value).flatMap { Int32(exactly: $0) } }
}

extension Bool: LedgerDecodable {
    public static func decode(_ value: LedgerValue) -> Bool? { Int64.decode(value).map { $0 != 0 } }
}

extension Double: LedgerDecodable {
    public static func decode(_ value: LedgerValue) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .real(let number): number
        case .text(let text): Double(text)
        case .null: nil
        }
    }
}

extension String: LedgerDecodable {
    public static func decode(_ value: LedgerValue) -> String? {
        switch value {
        case .null: nil
        default: value.text
        }
    }
}

extension Optional: LedgerDecodable where Wrapped: LedgerDecodable {
    public static func decode(_ value: LedgerValue) -> Wrapped?? {
        if value == .null { return .some(nil) }
        return Wrapped.decode(value).map { .some($0) }
    }
}
