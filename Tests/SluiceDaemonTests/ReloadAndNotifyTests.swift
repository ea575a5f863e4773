import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// SIGHUP, SIGTERM and the systemd notify protocol, with real signals and a
/// real datagram socket standing in for systemd.
@Suite(.serialized) struct ReloadAndNotifyTests {
    @Test func sighupAddsAPipelineAndABrokenConfigKeepsTheOldOne() throws {
        let space = try Workspace()
        let one = daemonConfig([fixturePipeline("churn", modes: ["approve"])])
        try space.writeConfig(one)
        let daemon = try space.startDaemon()

        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"]),
                                            fixturePipeline("added", modes: ["approve"])]))
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("configuration reloaded: 2 pipelines (churn, added)") }, "\(daemon.log)")
        try space.drop("new.csv", ChurnData.csv(rows: 30, seed: 1), pipeline: "added")
        #expect(eventually { space.hasLedger && (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(try space.strings("SELECT pipeline FROM drops") == ["added"])

        try space.writeConfig(one + "\n  broken: [\n")
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("reload refused, keeping the running configuration") }, "\(daemon.log)")
        #expect(daemon.log.contains("sluice.yaml:"))   // the reason names the file and line
        try space.drop("still.csv", ChurnData.csv(rows: 30, seed: 2), pipeline: "added")
        #expect(eventually { (try? space.finishedDrops()) == 2 }, "\(daemon.log)")
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'config.reload_failed'") == 1)
        #expect(daemon.stop() == 0)
    }

    /// Plugins are checked in a `sluice check` child at start and on SIGHUP:
    /// no plugin is ever mapped into the daemon, and a reload naming a
    /// missing plugin is refused with the child's verdict.
    @Test func theDaemonNeverLoadsAPluginAndAReloadWithAMissingOneIsRefused() throws {
        let space = try Workspace()
        let good = daemonConfig([fixturePipeline("churn", modes: ["approve"])])
        try space.writeConfig(good)
        let daemon = try space.startDaemon()
        func mappedObjects() throws -> [String] {
            try FileSystem.readText("/proc/\(daemon.pid)/maps").split(separator: "\n")
                .compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) }
                .filter { $0.hasSuffix(".so") && $0.hasPrefix(BuildProducts.directory) }
        }
        try space.drop("one.csv", ChurnData.csv(rows: 30, seed: 4))
        #expect(eventually { space.hasLedger && (try? space.finishedDrops()) == 1 }, "\(daemon.log)")
        #expect(try mappedObjects() == [])

        try space.writeConfig(good.replacingOccurrences(of: "plugin: fixture-misbehave", with: "plugin: fixture-nowhere"))
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("reload refused, keeping the running configuration") }, "\(daemon.log)")
        #expect(daemon.log.contains("plugin check failed (sluice check exited with status 1)"))
        #expect(daemon.log.contains("plugin 'fixture-nowhere' not found"))
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'config.reload_failed' AND message LIKE '%fixture-nowhere%'") == 1)

        try space.writeConfig(good)
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("configuration reloaded") }, "\(daemon.log)")
        try space.drop("two.csv", ChurnData.csv(rows: 30, seed: 5))
        #expect(eventually { (try? space.finishedDrops()) == 2 }, "\(daemon.log)")
        #expect(try mappedObjects() == [])
        #expect(daemon.stop() == 0)
    }

    @Test func notifySocketReceivesReadyStatusWatchdogStoppingInOrder() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["sleep", "approve"], seconds: 1)]))
        let socket = try NotifySocket(path: space.root + "/notify.sock")
        let daemon = try space.startDaemon(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "200000"])
        try space.drop("day.csv", ChurnData.csv(rows: 30, seed: 3))
        #expect(eventually { space.hasLedger && (try? space.finishedDrops()) == 1 })
        #expect(eventually { socket.messages.contains { $0.contains("WATCHDOG=1") } })
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("configuration reloaded") })
        #expect(daemon.stop() == 0)
        let messages = socket.messages
        func first(_ text: String) -> Int? { messages.firstIndex { $0.contains(text) } }
        let ready = try #require(first("READY=1"))
        let status = try #require(first("STATUS="))
        let watchdog = try #require(first("WATCHDOG=1"))
        let stopping = try #require(first("STOPPING=1"))
        #expect(ready <= status && status < stopping && ready < watchdog && watchdog < stopping)
        // A reload is announced with RELOADING=1 and MONOTONIC_USEC, then READY=1 again.
        let reloading = try #require(first("RELOADING=1"))
        #expect(messages[reloading].contains("MONOTONIC_USEC="))
        #expect(messages[(reloading + 1)...].contains { $0.contains("READY=1") })
        #expect(reloading < stopping)
        #expect(messages.contains { $0.contains("STATUS=idle, 1 pipeline") })
        // Plugin progress reaches systemctl status: the fixture reports 50% while it sleeps.
        #expect(messages.contains { $0.contains("STATUS=churn: step0-sleep day.csv (50%)") }, "\(messages)")
    }
}

/// A Unix datagram socket that collects what is sent to it, like systemd's.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var open = true

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else { throw SystemError(call: "bind", path: path, code: errno) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while self.isOpen {
                let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    self.lock.withLock { self.received.append(String(decoding: buffer[..<count], as: UTF8.self)) }
                }
            }
        }
    }

    var isOpen: Bool { lock.withLock { open } }
    var messages: [String] { lock.withLock { received } }

    deinit {
        lock.withLock { open = false }
        usleep(150_000)
        close(fd)
    }
}
