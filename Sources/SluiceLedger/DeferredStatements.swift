import PostgresNIO

/// The answers still to come of the statements a transaction sent without
/// waiting (``LedgerConnection/executeDeferred(sql:arguments:)``).
final class DeferredStatements: @unchecked Sendable {
    // @unchecked Sendable: used only by the thread holding the database's lock
    // for the whole transaction.
    private var futures: [EventLoopFuture<PostgresQueryResult>] = []

    func add(_ future: EventLoopFuture<PostgresQueryResult>) { futures.append(future) }

    /// Waits for every answer; throws the first failure.
    func settle() throws {
        defer { futures.removeAll() }
        var first: (any Error)?
        for future in futures {
            do { _ = try future.wait() } catch { first = first ?? error }
        }
        if let first { throw first }
    }
}
