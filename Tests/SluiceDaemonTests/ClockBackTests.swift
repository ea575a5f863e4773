import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The clock set back a day between two publications (each process run on its
/// own clock through SLUICE_TEST_CLOCK_OFFSET, the machine's untouched):
/// versions still follow the order of publication, the history's intervals
/// stay in order and never overlap, and "the champion at time T" answers the
/// newest version for now (issue 18: "clock set back").
@Suite struct ClockBackTests {
    struct Entry: Decodable {
        struct Interval: Decodable {
            let version: Int
            let since: String
            let until: String?
        }
        let interval: Interval
    }

    func history(_ space: Workspace, _ extra: [String] = []) throws -> [Entry.Interval] {
        let result = try Command.sluice(["history", "churn", "--format", "json", "--config", space.config] + extra, in: space.root)
        #expect(result.status == 0, "\(result.output)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Entry].self, from: Data(result.stdout.utf8)).map(\.interval)
    }

    @Test func aClockSetBackKeepsVersionsAndTheChampionAtAnyTimeInOrder() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.drop("one.csv", ChurnData.csv(rows: 400, seed: 61))
        #expect(try space.serve().status == 0)
        // A day back, then two days back: each publication on an earlier clock.
        for (name, offset) in [("two.csv", "-86400"), ("three.csv", "-172800")] {
            try space.drop(name, ChurnData.csv(rows: 400, seed: UInt64(name.count) + 62))
            let run = try space.serve(environment: ["SLUICE_TEST_CLOCK_OFFSET": offset])
            #expect(run.status == 0, "\(run.output)")
        }
        #expect(try space.strings("SELECT version FROM models WHERE publication = 'published' ORDER BY id") == ["1", "2", "3"])
        #expect(FileSystem.symlinkTarget(space.root + "/outbox/churn/current.tar.gz") == "churn-v3.tar.gz")
        let intervals = try history(space)
        #expect(intervals.map(\.version) == [1, 2, 3])
        for (earlier, later) in zip(intervals, intervals.dropFirst()) {
            #expect(earlier.since <= later.since, "\(intervals)")
            #expect(earlier.until == later.since, "\(intervals)")
        }
        // Now, by the right clock, v3 is in service.
        let now = try Command.sluice(["history", "churn", "--at", Timestamp.now(), "--config", space.config], in: space.root)
        #expect(now.status == 0, "\(now.output)")
        #expect(now.stdout.contains("v3"), "\(now.stdout)")
    }
}
