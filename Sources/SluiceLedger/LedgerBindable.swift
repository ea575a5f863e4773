/// A Swift value that can be a statement argument (see ``LedgerConnection``).
public protocol LedgerBindable: Sendable {
    var ledgerBinding: LedgerBinding { get }
    /// This type's NULL.
    static var nullBinding: LedgerBinding { get }
}

extension Int64: LedgerBindable {
    public var ledgerBinding: LedgerBinding { .integer(self) }
    public static var nullBinding: LedgerBinding { .integer(nil) }
}

extension Int: LedgerBindable {
    public var ledgerBinding: LedgerBinding { .integer(Int64(self)) }
    public static var nullBinding: LedgerBinding { .integer(nil) }
}

extension Int32: LedgerBindable {
    public var ledgerBinding: LedgerBinding { .integer(Int64(self)) }
    public static var nullBinding: LedgerBinding { .integer(nil) }
}

extension Bool: LedgerBindable {
    public var ledgerBinding: LedgerBinding { .integer(self ? 1 : 0) }
    public static var nullBinding: LedgerBinding { .integer(nil) }
}

extension Double: LedgerBindable {
    public var ledgerBinding: LedgerBinding { .real(self) }
    public static var nullBinding: LedgerBinding { .real(nil) }
}

extension String: LedgerBindable {
    public var ledgerBinding: LedgerBinding { .text(self) }
    public static var nullBinding: LedgerBinding { .text(nil) }
}

extension Optional: LedgerBindable where Wrapped: LedgerBindable {
    public var ledgerBinding: LedgerBinding { self?.ledgerBinding ?? Wrapped.nullBinding }
    public static var nullBinding: LedgerBinding { Wrapped.nullBinding }
}
