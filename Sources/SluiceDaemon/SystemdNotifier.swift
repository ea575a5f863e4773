import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// The systemd notify protocol, spoken directly: datagrams like `READY=1`,
/// `STATUS=…`, `WATCHDOG=1` sent to the socket named by `$NOTIFY_SOCKET`
/// (a path, or an abstract name starting with `@`). No libsystemd: the
/// protocol is a few lines, and one fewer C library keeps the hardened unit's
/// dependencies small. A no-op when `$NOTIFY_SOCKET` is unset.
final class SystemdNotifier {
    private let socketFD: Int32
    private var address = sockaddr_un()
    private var addressLength: socklen_t = 0
    /// Watchdog keep-alive interval (half of `$WATCHDOG_USEC`), if the watchdog is on for us.
    let watchdogInterval: Double?
    private var lastStatus = ""
    /// Set once a send has failed, so the journal says it once, not every second.
    private var reportedFailure = false

    init() {
        let env = { (name: String) in getenv(name).map { String(cString: $0) } }
        let path = env("NOTIFY_SOCKET") ?? ""
        if let usec = env("WATCHDOG_USEC").flatMap(Double.init),
           env("WATCHDOG_PID").map({ Int32($0) == getpid() }) ?? true {
            watchdogInterval = usec / 2 / 1_000_000
        } else {
            watchdogInterval = nil
        }
        guard !path.isEmpty, path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else {
            socketFD = -1
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
    }

    deinit { if socketFD >= 0 { close(socketFD) } }

    var isEnabled: Bool { socketFD >= 0 }

    /// Sends one notification (several `KEY=VALUE` lines).
    func send(_ lines: String...) {
        guard socketFD >= 0 else { return }
        let message = Array(lines.joined(separator: "\n").utf8)
        do {
            try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    try message.withUnsafeBytes { bytes in
                        try Syscall.run("sendto", path: "NOTIFY_SOCKET") {
                            sendto(socketFD, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
                        }
                    }
                }
            }
        } catch {
            if !reportedFailure {
                reportedFailure = true
                FileSystem.writeStandardError("sluice: cannot notify systemd (\(lines.first ?? "")): \(error)\n")
            }
        }
    }

    /// `STATUS=` when it changed.
    func status(_ text: String) {
        guard text != lastStatus else { return }
        lastStatus = text
        send("STATUS=\(text)")
    }

    /// `RELOADING=1` with the monotonic timestamp systemd 253+ wants.
    func reloading() {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        let usec = UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
        send("RELOADING=1", "MONOTONIC_USEC=\(usec)")
    }
}
