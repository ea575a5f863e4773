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

    /// An anonymous in-memory file (`memfd_create`, close-on-exec) holding
    /// `bytes`: a descriptor to hand a child exactly these bytes.
    public static func memoryFile(name: String, bytes: [UInt8]) throws -> Int32 {
        let fd = try run("memfd_create", path: name) { sluice_memfd(name) }
        do {
            try FileSystem.writeAll(fd: fd, bytes: bytes, path: "memfd \(name)")
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Everything in the file behind `fd`, read from its start (`pread`, so the offset is untouched).
    public static func readAll(fd: Int32, path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let offset = off_t(bytes.count)
            let count = try buffer.withUnsafeMutableBytes { raw in
                try run("pread", path: path) { pread(fd, raw.baseAddress, raw.count, offset) }
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
        }
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
