/// Which SQL a ``LedgerDatabase`` speaks, for the few statements that differ.
public enum LedgerDialect: String, Sendable {
    case sqlite
    case postgres

    /// Milliseconds from the ISO-8601 text column `column` to the ISO-8601 argument `?`.
    func millisecondsSince(column: String) -> String {
        switch self {
        case .sqlite: "(julianday(?) - julianday(\(column))) * 86400000.0"
        case .postgres: "EXTRACT(EPOCH FROM (CAST(? AS timestamptz) - CAST(\(column) AS timestamptz))) * 1000.0"
        }
    }

    /// The database's clock now, in seconds since 1970 (leases use the
    /// database's clock, so hosts whose clocks disagree still agree on expiry).
    var nowEpoch: String {
        switch self {
        case .sqlite: "((julianday('now') - 2440587.5) * 86400.0)"
        case .postgres: "EXTRACT(EPOCH FROM clock_timestamp())::double precision"
        }
    }
}
