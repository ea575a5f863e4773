import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// One `sluice work` child process, started with `posix_spawn`. Its stdout is
/// a pipe on which it reports progress (`progress\t<stage>\t<fraction>\t<text>`);
/// its stderr is the daemon's (the journal).
final class WorkerProcess {
    let pid: pid_t
    /// Read end of the worker's stdout (non-blocking).
    let output: Int32
    let started: Double
    /// When the time limit runs out (monotonic seconds).
    let deadline: Double
    /// When SIGTERM was sent for the time limit, if it was.
    var terminatedAt: Double?
    private var pending: [UInt8] = []
    /// The latest progress line: stage, fraction, text.
    private(set) var progress: (stage: String, fraction: Double, text: String)?

    /// Starts `executable` with `arguments` (argv[1...]).
    init(executable: String, arguments: [String], timeLimit: Double) throws {
        let (readEnd, writeEnd) = try Syscall.pipe(nonBlocking: false)
        let fds = [readEnd, writeEnd]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and an empty mask.
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
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw SystemError(call: "posix_spawn", path: executable, code: status)
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        pid = child
        output = fds[0]
        started = Timestamp.monotonic()
        deadline = started + timeLimit
    }

    deinit { close(output) }

    /// Reads what the worker wrote; returns false at end of file.
    /// - Throws: ``SystemError`` when the pipe cannot be read (not for "nothing yet").
    @discardableResult
    func readOutput() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = try buffer.withUnsafeMutableBytes {
                try Syscall.readAvailable(output, into: $0, what: "worker \(pid) output")
            }
            guard let count = read else { return true }
            if count == 0 { return false }
            pending.append(contentsOf: buffer[..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                let parts = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                if parts.count == 4, parts[0] == "progress", let fraction = Double(parts[2]) {
                    progress = (parts[1], fraction, parts[3])
                }
            }
        }
    }

    /// Sends a signal to the worker.
    func signal(_ number: Int32) { kill(pid, number) }
}
