import Foundation
import SluiceLedger
import SluiceSystem
import SluiceTestSupport
import Testing

/// `sluice ledger migrate` copies a real single-host ledger into a real
/// PostgreSQL database: the report reads the same, and the pipeline goes on
/// there (ids and versions continue after the copied ones).
@Suite struct LedgerMigrateTests {
    @Test func aMigratedLedgerReportsTheSameAndGoesOn() throws {
        let space = try Workspace()
        try space.drop("one.csv", ChurnData.csv(rows: 400, seed: 11))
        #expect(try space.serve().status == 0)
        let before = try space.report(["--format", "json"])
        #expect(before.status == 0)

        let url = try PostgresServer.freshDatabase("sluice_migrate")
        let migrated = try Command.sluice(["ledger", "migrate", "--from", "sqlite:" + space.root + "/ledger.sqlite", "--to", url])
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(migrated.stdout.contains("verified: every table has the same number of rows"))
        #expect(migrated.stdout.contains("drops              1 row"))

        // The same report, from PostgreSQL.
        let config = try FileSystem.readText(space.config)
        try space.writeConfig("ledger: \(url)\n" + config)
        let after = try space.report(["--format", "json"])
        #expect(after.status == 0, "\(after.output)")
        func comparable(_ json: String) -> String {
            json.split(separator: "\n").filter { !$0.contains("\"generated_at\"") && !$0.contains("\"ledger\"") }
                .joined(separator: "\n")
        }
        #expect(comparable(after.stdout) == comparable(before.stdout))

        // A second migration into the same database is refused.
        let again = try Command.sluice(["ledger", "migrate", "--from", "sqlite:" + space.root + "/ledger.sqlite", "--to", url])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds 1 drops"))

        // The pipeline goes on in PostgreSQL: the next drop is drop 2 and, approved, v2.
        try space.drop("two.csv", ChurnData.csv(rows: 400, seed: 12))
        let served = try space.serve()
        #expect(served.status == 0, "\(served.output)")
        let ledger = try SQLLedger.open(url)
        #expect(try ledger.recentDrops(pipeline: "churn", limit: 5).map(\.id) == [2, 1])
        let versions = try ledger.models(pipeline: "churn").compactMap(\.version)
        #expect(versions.first == 1)
        #expect(versions.allSatisfy { $0 <= 2 })
    }
}
