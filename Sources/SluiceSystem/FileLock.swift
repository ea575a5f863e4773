#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock(2)`) on a file, held across processes
/// for the duration of a closure. The lock file is created if missing and
/// left in place (removing it would race with the next locker).
public enum FileLock {
    /// Runs `body` while holding an exclusive lock on `path`, waiting for
    /// another process that holds it. The lock goes with the descriptor, so a
    /// process that dies holding it releases it.
    public static func withExclusive<Result>(_ path: String, _ body: () throws -> Result) throws -> Result {
        let fd = try Syscall.run("open", path: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        defer { close(fd) }
        try Syscall.run("flock", path: path) { flock(fd, LOCK_EX) }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Takes an exclusive lock on `path` and returns its descriptor (closing
    /// it, or the process ending, releases the lock), waiting up to `timeout`
    /// seconds for a holder to let go; nil when it is still held then.
    public static func acquire(_ path: String, timeout: Double) throws -> Int32? {
        let fd = try Syscall.run("open", path: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        let deadline = Timestamp.monotonic() + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw SystemError(call: "flock", path: path, code: code)
            }
            if Timestamp.monotonic() >= deadline {
                close(fd)
                return nil
            }
            usleep(10_000)
        }
        return fd
    }
}
