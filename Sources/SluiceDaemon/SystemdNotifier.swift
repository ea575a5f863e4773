import SluiceSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The systemd notify protocol, spoken directly: datagrams like `READY=1`,
/// `STATUS=…`, `WATCHDOG=1` sent to the socket named by `$NOTIFY_SOCKET`
/// (a path, or an abstract name starting with `@`). No libsystemd: the
/// protocol is a few lines, and one fewer C library keeps the hardened unit's
/// dependencies small. A no-op when `$NOTIFY_SOCKET` is unset. Shared by the
/// services: each send is one `sendto` under a lock.
final class SystemdNotifier: Sendable {
    private struct State {
        var lastStatus = ""
        /// STATUS= goes out only once READY=1 has (which carries the first status).
        var ready = false
        /// Set once a send has failed, so the journal says it once, not every second.
        var reportedFailure = false
    }

    private let socketFD: Int32
    private let address: sockaddr_un
    private let addressLength: socklen_t
    /// Watchdog keep-alive interval (half of `$WATCHDOG_USEC`), if the watchdog is on for us.
    let watchdogInterval: Double?
    private let state = Mutex(State())

    init() {
        let env = { (name: String) in getenv(name).map { String(cString: $0) } }
        let path = env("NOTIFY_SOCKET") ?? ""
        if let usec = env("WATCHDOG_USEC").flatMap(Double.init),
           env("WATCHDOG_PID").map({ Int32($0) == getpid() }) ?? true {
            watchdogInterval = usec / 2 / 1_000_000
        } else {
            watchdogInterval = nil
        }
        var address = sockaddr_un()
        guard !path.isEmpty, path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else {
            socketFD = -1
            self.address = address
            addressLength = 0
            return
        }
        socketFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }   // abstract socket
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        self.address = address
    }

    deinit { if socketFD >= 0 { close(socketFD) } }

    var isEnabled: Bool { socketFD >= 0 }

    /// Sends one notification (several `KEY=VALUE` lines).
    func send(_ lines: String...) {
        guard socketFD >= 0 else { return }
        if lines.contains("READY=1") {
            state.withLock { state in
                state.ready = true
                if let status = lines.first(where: { $0.hasPrefix("STATUS=") }) { state.lastStatus = String(status.dropFirst(7)) }
            }
        }
        let message = Array(lines.joined(separator: "\n").utf8)
        var address = address
        do {
            _ = try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    try message.withUnsafeBytes { bytes in
                        try Syscall.run("sendto", path: "NOTIFY_SOCKET") {
                            sendto(socketFD, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
                        }
                    }
                }
            }
        } catch {
            let first = state.withLock { state in
                defer { state.reportedFailure = true }
                return !state.reportedFailure
            }
            if first {
                FileSystem.writeStandardError("sluice: cannot notify systemd (\(lines.first ?? "")): \(error)\n")
            }
        }
    }

    /// `STATUS=` when it changed (and READY=1 was sent).
    func status(_ text: String) {
        let changed = state.withLock { state in
            guard state.ready, state.lastStatus != text else { return false }
            state.lastStatus = text
            return true
        }
        if changed { send("STATUS=\(text)") }
    }

    /// `RELOADING=1` with the monotonic timestamp systemd 253+ wants.
    func reloading() {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        let usec = UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
        send("RELOADING=1", "MONOTONIC_USEC=\(usec)")
    }
}
