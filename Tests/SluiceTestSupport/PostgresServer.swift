import Foundation
import SluiceSystem

/// The PostgreSQL server the shared-ledger tests use: the throw-away cluster
/// `Tests/Postgres/with-cluster.sh` starts for `make test` (and CI), named by
/// `$SLUICE_TEST_POSTGRES`. Each test gets a database of its own.
public enum PostgresServer {
    /// The server's URL (its `postgres` database).
    /// - Throws: a ``TestFailure`` saying how to get one: a test that needs
    ///   the server fails without it, it never passes by skipping.
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SLUICE_TEST_POSTGRES"], !url.isEmpty else {
            throw TestFailure("no PostgreSQL server for this test: SLUICE_TEST_POSTGRES is not set. Run the tests with "
                              + "`make test` (it starts a throw-away cluster through Tests/Postgres/with-cluster.sh), or "
                              + "set SLUICE_TEST_POSTGRES=postgres://USER@HOST:PORT/postgres to a server you may create databases on")
        }
        return url
    }

    /// A new, empty database; returns its URL.
    public static func freshDatabase(_ prefix: String = "sluice_test") throws -> String {
        let server = try url()
        let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        try psql(server, "CREATE DATABASE \(name)")
        guard let slash = server.lastIndex(of: "/") else { throw TestFailure("odd server URL \(server)") }
        return String(server[..<slash]) + "/" + name
    }

    /// Runs one SQL command with psql; returns its unaligned output.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let bin = ProcessInfo.processInfo.environment["SLUICE_TEST_POSTGRES_BIN"].map { $0 + "/psql" } ?? "/usr/bin/psql"
        let result = try Command.run(bin, ["-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        guard result.status == 0 else {
            throw TestFailure("psql \(sql) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
