/// One value read from the ledger, whichever database holds it.
public enum LedgerValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The value as report text: empty for NULL, numbers as Swift prints them.
    public var text: String {
        switch self {
        case .null: ""
        case .integer(let number): String(number)
        case .real(let number): "\(number)"
        case .text(let text): text
        }
    }
}
