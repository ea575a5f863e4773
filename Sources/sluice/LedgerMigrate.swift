import ArgumentParser
import SluiceLedger
import SluiceSystem

struct LedgerMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a single-host SQLite ledger into a PostgreSQL ledger several hosts can share.",
        discussion: """
        Opens the SQLite ledger (applying its pending migrations), creates the PostgreSQL \
        schema in the target database if needed, and copies every table with its ids, in one \
        transaction: drops, runs, stages, metrics, models, champion changes, findings, drift, \
        scoring, realized metrics and monitor actions. Then counts every table on both sides and \
        fails (exit 1) if one differs. The target must hold no drops yet. Stop the daemon first, \
        then point `ledger:` in sluice.yaml at the URL (docs/scale.md).

        The password is never in the URL: use ?password_file=PATH or $PGPASSFILE.

        Example:
          sluice ledger migrate --from sqlite:/var/lib/sluice/ledger.sqlite \\
                                --to postgres://sluice@db.internal:5432/sluice
        """
    )

    @Option(help: ArgumentHelp("The SQLite ledger to copy: sqlite:PATH (or a path).", valueName: "sqlite:path"))
    var from: String

    @Option(help: ArgumentHelp("The PostgreSQL ledger to copy into.", valueName: "postgres://user@host:port/db"))
    var to: String

    func run() throws {
        let path = from.hasPrefix("sqlite:") ? String(from.dropFirst("sqlite:".count)) : from
        guard FileSystem.isRegularFile(path) else { throw Failure("no SQLite ledger at \(path)") }
        guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else {
            throw Failure("--to must be a postgres:// URL, not '\(to)'")
        }
        let source = try SQLLedger(path: path)
        let target = try SQLLedger.open(to)
        print("copying \(path) → \(target.database.location)")
        let started = Timestamp.monotonic()
        let copied = try LedgerMigration.copy(from: source, to: target) { table, rows in
            print("  \(table.padding(toLength: 18, withPad: " ", startingAt: 0)) \(rows) row\(rows == 1 ? "" : "s")")
        }
        let total = copied.reduce(0) { $0 + $1.target }
        print("verified: every table has the same number of rows on both sides (\(total) rows, "
              + "\(String(format: "%.1f", Timestamp.monotonic() - started)) s)")
        print("next: set `ledger: \(target.database.location)` in sluice.yaml and start the daemons")
    }
}
