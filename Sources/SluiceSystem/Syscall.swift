import CSluiceLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way sluice makes a system call: retries `EINTR`, and turns a
/// `-1` result into a ``SystemError`` naming the call and the path.
public enum Syscall {
    /// Runs `body` until it returns something other than `-1` with `EINTR`.
    /// - Throws: ``SystemError`` when `body` returns `-1` for another reason.
    @discardableResult
    public static func run<Result: BinaryInteger>(
        _ call: String, path: String? = nil, _ body: () -> Result
    ) throws -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemError(call: call, path: path, code: code)
        }
    }
}

extension Syscall {
    /// A pipe whose ends are close-on-exec (and non-blocking if asked).
    /// Returns (read end, write end).
    public static func pipe(nonBlocking: Bool) throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        // pipe2: close-on-exec from the start, so a child spawned by another
        // thread between pipe() and fcntl() cannot inherit the ends.
        try run("pipe2") { sluice_pipe2(&fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)) }
        return (fds[0], fds[1])
    }

    /// `poll(2)`, retried on `EINTR` (with the same timeout); returns the count of ready descriptors.
    @discardableResult
    public static func poll(_ fds: inout [pollfd], timeoutMilliseconds: Int32) throws -> Int32 {
        let count = nfds_t(fds.count)
        return try fds.withUnsafeMutableBufferPointer { buffer in
            try run("poll") { Glibc.poll(buffer.baseAddress, count, timeoutMilliseconds) }
        }
    }

    /// A non-blocking `read(2)`: the byte count (0 at end of file), or nil
    /// when nothing is there yet (`EAGAIN`). Retries `EINTR`.
    /// - Throws: ``SystemError`` for any other failure, naming `what`.
    public static func readAvailable(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, what: String) throws -> Int? {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemError(call: "read", path: what, code: code)
        }
    }
}
