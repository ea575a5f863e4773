#if canImport(Glibc)
import Glibc
#endif

/// What a worker's monitor thread reports to the scheduler.
enum WorkerEvent: Sendable {
    /// A progress line: `progress\t<stage>\t<fraction>\t<text>`.
    case progress(pid: pid_t, stage: String, fraction: Double, text: String)
    /// The pipe could not be read (only the progress display is lost).
    case unreadable(pid: pid_t, reason: String)
    /// The worker was reaped; `status` is what `waitpid` returned.
    case exited(pid: pid_t, status: Int32)
}
