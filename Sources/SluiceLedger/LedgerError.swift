/// The ledger holds something this sluice cannot read: which table, column and value.
public struct LedgerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
