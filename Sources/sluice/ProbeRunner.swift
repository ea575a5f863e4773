import SluiceDaemon
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Runs a child with its stdout and stderr on one pipe, hands each line to
/// `onLine` as it arrives, and kills the child (SIGKILL) if it is still
/// running after `timeout` seconds.
enum ProbeRunner {
    enum Outcome: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
    }

    static func run(executable: String, arguments: [String], timeout: Double,
                    onLine: (String) -> Void) throws -> Outcome {
        let (readEnd, writeEnd) = try Syscall.pipe(nonBlocking: false)
        defer { close(readEnd) }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable, arguments, stdout: writeEnd, stderr: writeEnd)
            close(writeEnd)
        } catch {
            close(writeEnd)
            throw error
        }
        let deadline = Timestamp.monotonic() + timeout
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var timedOut = false
        while true {
            let left = deadline - Timestamp.monotonic()
            if left <= 0 {
                kill(pid, SIGKILL)
                timedOut = true
                break
            }
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0, errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                onLine(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        if timedOut { return .timedOut }
        return (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }
}
