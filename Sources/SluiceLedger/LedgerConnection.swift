/// One open conversation with the ledger's database, inside a read or a
/// transaction of ``LedgerDatabase``. Statements use `?` for arguments in
/// both dialects (the PostgreSQL connection numbers them).
public protocol LedgerConnection {
    var dialect: LedgerDialect { get }
    /// Runs a statement; returns the rows it changed.
    @discardableResult
    func execute(sql: String, arguments: [any LedgerBindable]) throws -> Int
    /// Runs an `INSERT` into a table with an `id` key; returns the new row's id.
    func insert(sql: String, arguments: [any LedgerBindable]) throws -> Int64
    func fetchAll(sql: String, arguments: [any LedgerBindable]) throws -> [LedgerRow]
    /// Runs a statement whose answer nobody reads before the transaction
    /// ends. PostgreSQL sends it at once without waiting, so a transaction of
    /// such statements costs one round trip; a failure still fails the
    /// transaction (nothing of it is committed) and is thrown at its end.
    func executeDeferred(sql: String, arguments: [any LedgerBindable]) throws
}

extension LedgerConnection {
    @discardableResult
    public func execute(sql: String) throws -> Int { try execute(sql: sql, arguments: []) }

    public func fetchAll(sql: String) throws -> [LedgerRow] { try fetchAll(sql: sql, arguments: []) }

    public func fetchOne(sql: String, arguments: [any LedgerBindable] = []) throws -> LedgerRow? {
        try fetchAll(sql: sql, arguments: arguments).first
    }

    /// The first column of the first row, nil when there is no row or it is NULL.
    public func scalar<Value: LedgerDecodable>(_ type: Value.Type, sql: String,
                                               arguments: [any LedgerBindable] = []) throws -> Value? {
        guard let row = try fetchOne(sql: sql, arguments: arguments), let first = row.values.first else { return nil }
        return Value.decode(first)
    }

    /// The first column of every row (NULLs left out).
    public func column<Value: LedgerDecodable>(_ type: Value.Type, sql: String,
                                               arguments: [any LedgerBindable] = []) throws -> [Value] {
        try fetchAll(sql: sql, arguments: arguments).compactMap { $0.values.first.flatMap(Value.decode) }
    }
}
