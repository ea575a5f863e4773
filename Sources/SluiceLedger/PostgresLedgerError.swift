import PostgresNIO

/// A PostgreSQL failure with what the server said (postgres-nio hides it
/// from `description` by default) and whether trying again may help.
public struct PostgresLedgerError: Error, CustomStringConvertible, Sendable {
    /// The SQLSTATE code, when the server answered.
    public let sqlState: String?
    public let message: String
    /// The connection broke (server restarted, network gone): the
    /// transaction's outcome is unknown to this process and it reconnects.
    public let connectionLost: Bool

    init(_ error: any Error, doing what: String) {
        if let error = error as? PSQLError {
            sqlState = error.serverInfo?[.sqlState]
            let server = error.serverInfo?[.message]
            let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
            connectionLost = server == nil && [.serverClosedConnection, .clientClosedConnection, .connectionError,
                                               .uncleanShutdown].contains(error.code)
            let cause = server.map { "\($0)\(detail)" } ?? "\(error.code)"
                + (error.underlying.map { ": \($0)" } ?? "")
            message = "PostgreSQL: \(cause)\(sqlState.map { " [SQLSTATE \($0)]" } ?? "") — while \(what)"
        } else {
            sqlState = nil
            connectionLost = true
            message = "PostgreSQL: \(error) — while \(what)"
        }
    }

    /// Lock timeouts, serialization failures, deadlocks, a server shutting
    /// down or a lost connection: the same work may succeed when tried again.
    public var isTransient: Bool {
        if connectionLost { return true }
        guard let sqlState else { return false }
        return ["55P03", "40001", "40P01", "57P01", "57P02", "57P03", "53300"].contains(sqlState)
            || sqlState.hasPrefix("08")
    }

    public var description: String { message }
}
