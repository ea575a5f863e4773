import Foundation
import Testing
import SluiceLedger
import SluiceTestSupport

/// Opening the ledger is safe when several processes start on a new one at once.
@Suite struct LedgerOpeningTests {
    /// Eight openers race on each of five new ledgers: every one succeeds and
    /// every migration is applied exactly once (no "table already exists").
    @Test func concurrentOpenersOfANewLedgerAllSucceed() async throws {
        let folder = TemporaryDirectory("sluice-ledger-open")
        for round in 0..<5 {
            let path = folder.url("round\(round)/ledger.sqlite")
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        // Each opener has its own pool and connections, as separate processes do.
                        do { return try SQLLedger(path: path).appliedMigrations().joined(separator: ",") }
                        catch { return "error: \(error)" }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            let expected = try SQLLedger(path: path).appliedMigrations().joined(separator: ",")
            #expect(expected.hasPrefix("v1-lifecycle,"))
            #expect(outcomes == Array(repeating: expected, count: 8), "round \(round)")
        }
    }
}
