import GRDB

/// ``LedgerConnection`` over a GRDB database handle, with cached statements.
struct GRDBConnection: LedgerConnection {
    let db: Database

    var dialect: LedgerDialect { .sqlite }

    @discardableResult
    func execute(sql: String, arguments: [any LedgerBindable]) throws -> Int {
        let statement = try db.cachedStatement(sql: sql)
        try statement.execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func executeDeferred(sql: String, arguments: [any LedgerBindable]) throws {
        try execute(sql: sql, arguments: arguments)
    }

    func insert(sql: String, arguments: [any LedgerBindable]) throws -> Int64 {
        try execute(sql: sql, arguments: arguments)
        return db.lastInsertedRowID
    }

    func fetchAll(sql: String, arguments: [any LedgerBindable]) throws -> [LedgerRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        return try Row.fetchAll(statement, arguments: Self.arguments(arguments)).map { row in
            LedgerRow(columns: columns, values: (0..<row.count).map { index in
                let value: DatabaseValue = row[index]
                switch value.storage {
                case .null: return .null
                case .int64(let number): return .integer(number)
                case .double(let number): return .real(number)
                case .string(let text): return .text(text)
                case .blob(let data): return .text(String(decoding: data, as: UTF8.self))
                }
            })
        }
    }

    static func arguments(_ values: [any LedgerBindable]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value.ledgerBinding {
            case .integer(let number): number
            case .real(let number): number
            case .text(let text): text
            }
        })
    }
}
