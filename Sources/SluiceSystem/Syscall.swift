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
        try run("pipe") { Glibc.pipe(&fds) }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        return (fds[0], fds[1])
    }
}
