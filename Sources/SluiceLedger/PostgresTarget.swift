import Foundation

/// Where a PostgreSQL ledger is: `postgres://USER@HOST:PORT/DATABASE`, with
/// the password never in the URL (nor the YAML): `?password_file=PATH`
/// names a file holding it, else `$PGPASSFILE` (or `~/.pgpass`) in libpq's
/// `host:port:database:user:password` format is searched, else none is sent.
public struct PostgresTarget: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var passwordFile: String?

    public init(host: String, port: Int, user: String, database: String, passwordFile: String?) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.passwordFile = passwordFile
    }

    /// Parses a `postgres://` (or `postgresql://`) URL.
    /// - Throws: ``LedgerError`` saying what is wrong, e.g. a password in it.
    public init(url text: String) throws {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let url = URLComponents(string: text) else {
            throw LedgerError("'\(text)' is not a PostgreSQL URL; expected postgres://USER@HOST:PORT/DATABASE")
        }
        if url.password != nil {
            throw LedgerError("the ledger URL holds a password; put it in a file named by ?password_file=PATH or in "
                              + "$PGPASSFILE, never in sluice.yaml")
        }
        guard let user = url.user, !user.isEmpty else {
            throw LedgerError("the ledger URL '\(text)' names no user; expected postgres://USER@HOST:PORT/DATABASE")
        }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw LedgerError("the ledger URL '\(text)' names no database; expected postgres://USER@HOST:PORT/DATABASE")
        }
        var passwordFile: String?
        for item in url.queryItems ?? [] {
            switch item.name {
            case "password_file": passwordFile = item.value
            default:
                throw LedgerError("the ledger URL has an unknown parameter '\(item.name)'; the one known is password_file")
            }
        }
        self.init(host: url.host ?? "localhost", port: url.port ?? 5432, user: user, database: database,
                  passwordFile: passwordFile)
    }

    /// The URL as written, without secrets.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (passwordFile.map { "?password_file=\($0)" } ?? "")
    }

    /// The password to send, if any.
    /// - Throws: ``LedgerError`` when `password_file` cannot be read.
    public func password() throws -> String? {
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw LedgerError("cannot read the ledger's password file \(passwordFile) (password_file in the ledger URL)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        let environment = ProcessInfo.processInfo.environment
        let file = environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let file, let data = FileManager.default.contents(atPath: file) else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
