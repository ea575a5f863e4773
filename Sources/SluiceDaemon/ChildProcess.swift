import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Starting `sluice` children (`sluice work`, `sluice check`) with
/// `posix_spawn`: default signal handling and an empty signal mask whatever
/// the daemon blocks or ignores, and only the descriptors asked for.
public enum ChildProcess {
    /// Starts `executable` with `arguments` (argv[1...]), its stdout (and
    /// stdin and stderr, when given) on the descriptors given; the rest as the daemon's.
    /// `inherit` maps a descriptor number in the child to one of ours.
    public static func spawn(_ executable: String, _ arguments: [String], stdout: Int32, stdin: Int32? = nil,
                             stderr: Int32? = nil, inherit: [Int32: Int32] = [:]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) }
        if let stderr { posix_spawn_file_actions_adddup2(&actions, stderr, 2) }
        for (child, ours) in inherit { posix_spawn_file_actions_adddup2(&actions, ours, child) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard status == 0 else { throw SystemError(call: "posix_spawn", path: executable, code: status) }
        return child
    }

    /// Runs a child to its end on a thread of its own and returns its
    /// `waitpid` status and everything it wrote to stdout and stderr.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let (readEnd, writeEnd) = try Syscall.pipe(nonBlocking: false)
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments, stdout: writeEnd, stderr: writeEnd)
            close(writeEnd)
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        return try await withCheckedThrowingContinuation { continuation in
            DedicatedThread.start("sluice-child-\(pid)") {
                continuation.resume(with: Result { try collect(pid: pid, output: readEnd) })
            }
        }
    }

    private static func collect(pid: pid_t, output: Int32) throws -> (status: Int32, output: String) {
        defer { close(output) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try buffer.withUnsafeMutableBytes { raw in
                try Syscall.run("read", path: "output of child \(pid)") { read(output, raw.baseAddress, raw.count) }
            }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        var status: Int32 = 0
        try Syscall.run("waitpid", path: "child \(pid)") { waitpid(pid, &status, 0) }
        return (status, String(decoding: bytes, as: UTF8.self))
    }
}
