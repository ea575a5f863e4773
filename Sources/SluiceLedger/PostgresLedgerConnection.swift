import Foundation
import Logging
import PostgresNIO

/// ``LedgerConnection`` over a postgres-nio connection: numbers the `?`
/// arguments `$1, $2, …`, binds each with its type (so a NULL is a typed
/// NULL), and reads every cell as integer, real or text.
struct PostgresLedgerConnection: LedgerConnection {
    let connection: PostgresConnection
    let logger: Logger
    let target: PostgresTarget
    /// The deferred statements sent in the current transaction.
    let deferred: DeferredStatements

    var dialect: LedgerDialect { .postgres }

    @discardableResult
    func execute(sql: String, arguments: [any LedgerBindable]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func executeDeferred(sql: String, arguments: [any LedgerBindable]) throws {
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: Self.bindings(arguments))
        deferred.add(connection.query(query, logger: logger).flatMapErrorThrowing { error in
            throw PostgresLedgerError(error, doing: Self.head(sql))
        })
    }

    func insert(sql: String, arguments: [any LedgerBindable]) throws -> Int64 {
        let result = try run(sql + " RETURNING id", arguments)
        guard let row = result.rows.first, let id = Int64.decode(Self.value(row.first!)) else {
            throw LedgerError("PostgreSQL returned no id for: \(Self.head(sql))")
        }
        return id
    }

    func fetchAll(sql: String, arguments: [any LedgerBindable]) throws -> [LedgerRow] {
        try run(sql, arguments).rows.map { row in
            var columns: [String] = []
            var values: [LedgerValue] = []
            for cell in row {
                columns.append(cell.columnName)
                values.append(Self.value(cell))
            }
            return LedgerRow(columns: columns, values: values)
        }
    }

    /// Sends a statement without arguments and returns at once: its answer is the future's.
    func send(_ sql: String) -> EventLoopFuture<PostgresQueryResult> {
        connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).flatMapErrorThrowing { error in
            throw PostgresLedgerError(error, doing: Self.head(sql))
        }
    }

    private func run(_ sql: String, _ arguments: [any LedgerBindable]) throws -> PostgresQueryResult {
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: Self.bindings(arguments))
        do {
            return try connection.query(query, logger: logger).wait()
        } catch {
            throw PostgresLedgerError(error, doing: Self.head(sql))
        }
    }

    static func bindings(_ arguments: [any LedgerBindable]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.ledgerBinding {
            case .integer(let number?): binds.append(number)
            case .integer(nil): binds.append(PostgresData(type: .int8))
            case .real(let number?): binds.append(number)
            case .real(nil): binds.append(PostgresData(type: .float8))
            case .text(let text?): binds.append(text)
            case .text(nil): binds.append(PostgresData(type: .text))
            }
        }
        return binds
    }

    /// `sql` with each `?` outside quotes replaced by `$1`, `$2`, ….
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var index = 0
        var quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?", !quoted {
                index += 1
                out += "$\(index)"
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The start of a statement, for messages.
    static func head(_ sql: String) -> String {
        let flat = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return flat.count > 90 ? String(flat.prefix(90)) + "…" : flat
    }

    static func value(_ cell: PostgresCell) -> LedgerValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid:
            return (try? cell.decode(Int64.self)).map(LedgerValue.integer) ?? .null
        case .float4, .float8:
            return (try? cell.decode(Double.self)).map(LedgerValue.real) ?? .null
        case .bool:
            return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .numeric:
            guard let decimal = try? cell.decode(Decimal.self) else { return .null }
            let number = NSDecimalNumber(decimal: decimal)
            return decimal == Decimal(number.int64Value) ? .integer(number.int64Value) : .real(number.doubleValue)
        default:
            if let text = try? cell.decode(String.self) { return .text(text) }
            var bytes = cell.bytes!
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
    }
}
