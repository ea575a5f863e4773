import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ten SIGHUPs while drops flow, one of them with a broken file on disk:
/// every drop is processed once, the broken config is refused and logged,
/// and the daemon keeps the good one (issue 18: "config reload storms").
@Suite struct ReloadStormTests {
    @Test func tenReloadsOneBrokenWhileDropsFlowLoseNothing() throws {
        let space = try Workspace()
        let good = daemonConfig([fixturePipeline("churn", modes: ["approve"])])
        try space.writeConfig(good)
        let daemon = try space.startDaemon()
        let total = 20
        for index in 0..<total {
            try space.drop("day\(index).csv", ChurnData.csv(rows: 40, seed: UInt64(index + 1)))
            if index % 2 == 0 {
                let reload = index / 2
                if reload == 4 { try space.writeConfig("pipelines: {churn: [broken\n") }
                daemon.signal(SIGHUP)
                if reload == 4 {
                    // Signals coalesce: wait until this one was read and refused, then restore the file.
                    #expect(eventually(timeout: 20) { daemon.log.contains("reload refused") }, "\(daemon.log)")
                    try space.writeConfig(good)
                }
            }
        }
        #expect(eventually(timeout: 90) { (try? space.finishedDrops()) == total }, "\(daemon.log)")
        #expect(try space.strings("SELECT DISTINCT outcome FROM drops") == ["archived"], "\(daemon.log)")
        #expect(try space.count("SELECT count(*) FROM drops") == total)
        #expect(daemon.log.contains("reload refused"), "\(daemon.log)")
        #expect(space.files("work").isEmpty)
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }
}
