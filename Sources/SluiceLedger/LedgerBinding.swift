/// One statement argument, with its type even when it is NULL: PostgreSQL
/// must know what `$1` is in `$1 IS NULL`, so a null is a null *text* or *integer*.
public enum LedgerBinding: Sendable, Equatable {
    case integer(Int64?)
    case real(Double?)
    case text(String?)
}
