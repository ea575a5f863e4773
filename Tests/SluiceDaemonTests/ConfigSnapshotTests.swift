import Foundation
import SluiceArchive
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A worker runs on exactly the configuration the daemon validated: editing
/// the file changes nothing until a reload (issue 18: "workers read the
/// config file from disk, not the daemon's").
@Suite struct ConfigSnapshotTests {
    @Test func anEditWithoutAReloadChangesNothingAndABrokenFileQuarantinesNothing() throws {
        let space = try Workspace()
        let good = daemonConfig([fixturePipeline("churn", modes: ["approve"])])
        try space.writeConfig(good)
        let daemon = try space.startDaemon()

        // A broken file on disk, no SIGHUP: drops still run on the validated config.
        try space.writeConfig("pipelines: [this is: not valid\n")
        try space.drop("one.csv", ChurnData.csv(rows: 40, seed: 1))
        #expect(eventually { (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        // A valid edit, no SIGHUP: not used either.
        let failing = good.replacingOccurrences(of: "mode: approve", with: "mode: fail")
        try space.writeConfig(failing)
        try space.drop("two.csv", ChurnData.csv(rows: 40, seed: 2))
        #expect(eventually { (try? space.finishedDrops()) == 2 }, "\(daemon.log)")
        #expect(try space.strings("SELECT outcome FROM drops ORDER BY id") == ["archived", "archived"], "\(daemon.log)")
        // The archive carries the text the run used, and the ledger its hash.
        let members = try ArchiveReader.members(of: space.root + "/outbox/churn/current.tar.gz")
        #expect(members.first { $0.name == "config/sluice.yaml" }?.bytes == Array(good.utf8))
        #expect(try space.strings("SELECT DISTINCT config_sha256 FROM runs") == [ContentHash.sha256(Array(good.utf8))])

        // After the reload the edit counts.
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("configuration reloaded") }, "\(daemon.log)")
        try space.drop("three.csv", ChurnData.csv(rows: 40, seed: 3))
        #expect(eventually { (try? space.finishedDrops()) == 3 }, "\(daemon.log)")
        #expect(try space.strings("SELECT outcome FROM drops ORDER BY id") == ["archived", "archived", "quarantined"])
        #expect(daemon.stop() == 0)
    }
}
