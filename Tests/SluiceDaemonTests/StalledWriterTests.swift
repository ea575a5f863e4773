import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A writer that pauses longer than settle_seconds has its file taken half
/// written; when it then writes on, the run sees the file changed since the
/// claim and says so instead of publishing a model of half a file (issue 18:
/// "a stalled writer's file is taken, then appended to").
@Suite struct StalledWriterTests {
    @Test func aFileThatGrowsAfterItsClaimIsQuarantinedWithThatReason() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["sleep", "approve"], seconds: 3)])
            .replacingOccurrences(of: "settle_seconds: 2", with: "settle_seconds: 1"))
        let daemon = try space.startDaemon()
        let rows = ChurnData.csv(rows: 80, seed: 5).split(separator: "\n", omittingEmptySubsequences: false)
        let first = rows.prefix(41).joined(separator: "\n") + "\n"
        let second = rows.dropFirst(41).joined(separator: "\n")
        let path = space.root + "/inbox/churn/slow.csv"
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 0)
        _ = first.withCString { write(fd, $0, strlen($0)) }
        // The writer stalls; the daemon takes the file once its size settles.
        #expect(eventually(timeout: 20) { !FileSystem.exists(path) }, "\(daemon.log)")
        _ = second.withCString { write(fd, $0, strlen($0)) }
        close(fd)

        #expect(eventually(timeout: 30) { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        let reason = try space.strings("SELECT outcome || ': ' || outcome_reason FROM drops").first ?? ""
        #expect(reason.hasPrefix("quarantined: the file changed after it was claimed ("), "\(reason)")
        #expect(reason.contains("its writer was still writing"), "\(reason)")
        #expect(space.files("outbox/churn").filter { $0.hasSuffix(".tar.gz") }.isEmpty, "no model of half a file")
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'drop.changed'") == 1)
        #expect(daemon.stop() == 0)
    }
}
