import SluiceConfig
import SluiceTestSupport
import Testing

/// `ledger`, `host`, `rescan_seconds` and `lease_seconds` (docs/scale.md).
@Suite struct SharedLedgerConfigTests {
    func parse(_ top: String) throws -> SluiceConfiguration {
        try ConfigLoader.parse("""
            state_dir: state
            \(top)
            pipelines:
              churn:
                target: churned
                stages: [{plugin: train}]
            """, file: "/etc/x/sluice.yaml")
    }

    @Test func withoutLedgerItIsTheSQLiteFileAndNothingIsShared() throws {
        let config = try parse("")
        #expect(config.ledgerLocation == "/etc/x/state/ledger.sqlite")
        #expect(!config.sharedLedger)
        #expect(config.rescanSeconds == nil)
        #expect(config.leaseSeconds == 30)
        #expect(!config.host.isEmpty)
    }

    @Test func aSQLitePathResolvesAgainstTheConfigFolder() throws {
        let config = try parse("ledger: db/l.sqlite")
        #expect(config.ledgerPath == "/etc/x/db/l.sqlite")
        #expect(!config.sharedLedger)
    }

    @Test func aPostgresURLSharesTheLedgerAndRescansByDefault() throws {
        let config = try parse("ledger: postgres://sluice@db:5432/sluice?password_file=/etc/pw\nhost: host-1\nlease_seconds: 12")
        #expect(config.sharedLedger)
        #expect(config.ledgerLocation == "postgres://sluice@db:5432/sluice?password_file=/etc/pw")
        #expect(config.host == "host-1")
        #expect(config.rescanSeconds == 5)
        #expect(config.leaseSeconds == 12)
    }

    @Test func aPasswordInTheURLIsRefusedWithItsLine() throws {
        let error = #expect(throws: ConfigError.self) { try parse("ledger: postgres://sluice:secret@db/sluice") }
        #expect(error?.line == 2)
        #expect("\(error!)".contains("password_file"))
        #expect(!"\(error!)".contains("secret@"))
    }

    @Test func badValuesSayWhatIsExpected() throws {
        #expect(throws: ConfigError.self) { try parse("ledger: postgres://db/sluice") }        // no user
        #expect(throws: ConfigError.self) { try parse("ledger: postgres://u@db") }             // no database
        #expect(throws: ConfigError.self) { try parse("host: 'two words'") }
        #expect(throws: ConfigError.self) { try parse("lease_seconds: 1") }
        #expect(throws: ConfigError.self) { try parse("rescan_seconds: 0") }
    }
}
