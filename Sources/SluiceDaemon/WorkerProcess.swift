import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// One `sluice work` child process, started with `posix_spawn`. Its stdout is
/// a pipe on which it reports progress (`progress\t<stage>\t<fraction>\t<text>`)
/// and, as a lane worker, the end of each run (`done\t<status>\t<continue|retire:why>`
/// or `refused\t<why>`); its stderr is the daemon's (the journal). A monitor
/// thread of its own reads the pipe until the worker closes it, then reaps it
/// with `waitpid` on its pid, reporting both as ``WorkerEvent``s.
struct WorkerProcess: Sendable {
    let pid: pid_t
    /// The write end of a lane worker's stdin (its run requests), owned by the ``WorkerPool``.
    let input: Int32?

    /// Starts `executable` with `arguments` (argv[1...]) and its monitor thread.
    /// `inherit` maps the worker's descriptor numbers to ours (the lifeline
    /// and the configuration, see ``WorkerPool``).
    /// With `requests`, the worker's stdin is a pipe whose write end is `input`.
    static func start(executable: String, arguments: [String], inherit: [Int32: Int32], requests: Bool = false,
                      events: AsyncStream<WorkerEvent>.Continuation) throws -> WorkerProcess {
        let (readEnd, writeEnd) = try Syscall.pipe(nonBlocking: false)
        var input: (read: Int32, write: Int32)?
        let pid: pid_t
        do {
            if requests { input = try Syscall.pipe(nonBlocking: false) }
            pid = try ChildProcess.spawn(executable, arguments, stdout: writeEnd, stdin: input?.read, inherit: inherit)
            close(writeEnd)
            if let input { close(input.read) }
        } catch {
            close(readEnd)
            close(writeEnd)
            if let input { close(input.read); close(input.write) }
            throw error
        }
        DedicatedThread.start("sluice-worker-\(pid)") { monitor(pid: pid, output: readEnd, events: events) }
        return WorkerProcess(pid: pid, input: input?.write)
    }

    /// Sends a lane worker one line (a run request); fails when it is gone (EPIPE).
    func send(_ line: String) throws {
        guard let input else { throw DaemonError("worker \(pid) takes no requests") }
        try FileSystem.writeAll(fd: input, bytes: Array((line + "\n").utf8), path: "stdin of worker \(pid)")
    }

    /// The monitor thread: progress lines until end of file, then the exit status.
    private static func monitor(pid: pid_t, output: Int32, events: AsyncStream<WorkerEvent>.Continuation) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                events.yield(.unreadable(pid: pid, reason: "\(SystemError(call: "read", path: "worker \(pid) output", code: errno))"))
                break
            }
            pending.append(contentsOf: buffer[..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if let event = parse(line, pid: pid) { events.yield(event) }
            }
        }
        close(output)
        var status: Int32 = 0
        do {
            try Syscall.run("waitpid", path: "worker \(pid)") { waitpid(pid, &status, 0) }
        } catch {
            // Nobody else reaps our workers; should it happen, say so and count it as a failure.
            events.yield(.unreadable(pid: pid, reason: "\(error)"))
            status = 255 << 8
        }
        events.yield(.exited(pid: pid, status: status))
    }

    /// The event a line of the worker's stdout stands for, if any.
    static func parse(_ line: String, pid: pid_t) -> WorkerEvent? {
        let parts = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "progress" where parts.count == 4:
            return Double(parts[2]).map { .progress(pid: pid, stage: parts[1], fraction: $0, text: parts[3]) }
        case "done" where parts.count == 3:
            guard let status = Int32(parts[1]), (0...255).contains(status) else { return nil }
            let retiring = parts[2].hasPrefix("retire:") ? String(parts[2].dropFirst(7)) : nil
            return .runEnded(pid: pid, status: status << 8, retiring: retiring)
        case "refused" where parts.count == 2:
            return .refused(pid: pid, reason: parts[1])
        default:
            return nil
        }
    }

    /// Sends a signal to the worker.
    func signal(_ number: Int32) { kill(pid, number) }
}
