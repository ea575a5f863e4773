import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// One `sluice work` child process, started with `posix_spawn`. Its stdout is
/// a pipe on which it reports progress (`progress\t<stage>\t<fraction>\t<text>`);
/// its stderr is the daemon's (the journal). A monitor thread of its own reads
/// the pipe until the worker closes it, then reaps it with `waitpid` on its
/// pid, reporting both as ``WorkerEvent``s.
struct WorkerProcess: Sendable {
    let pid: pid_t

    /// Starts `executable` with `arguments` (argv[1...]) and its monitor thread.
    /// `inherit` maps the worker's descriptor numbers to ours (the lifeline
    /// and the configuration, see ``WorkerPool``).
    static func start(executable: String, arguments: [String], inherit: [Int32: Int32],
                      events: AsyncStream<WorkerEvent>.Continuation) throws -> WorkerProcess {
        let (readEnd, writeEnd) = try Syscall.pipe(nonBlocking: false)
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable, arguments, stdout: writeEnd, inherit: inherit)
            close(writeEnd)
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        DedicatedThread.start("sluice-worker-\(pid)") { monitor(pid: pid, output: readEnd, events: events) }
        return WorkerProcess(pid: pid)
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
                let parts = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                if parts.count == 4, parts[0] == "progress", let fraction = Double(parts[2]) {
                    events.yield(.progress(pid: pid, stage: parts[1], fraction: fraction, text: parts[3]))
                }
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

    /// Sends a signal to the worker.
    func signal(_ number: Int32) { kill(pid, number) }
}
