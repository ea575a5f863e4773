#if canImport(Glibc)
import Glibc
#endif

/// What a worker's monitor thread reports to the scheduler.
enum WorkerEvent: Sendable {
    /// A progress line: `progress\t<stage>\t<fraction>\t<text>`.
    case progress(pid: pid_t, stage: String, fraction: Double, text: String)
    /// A lane worker (`sluice work --serve`) ended a run: `status` as
    /// `waitpid` would give for a one-run worker that exited so; `retiring`
    /// when the worker now exits instead of taking another run.
    case runEnded(pid: pid_t, status: Int32, retiring: String?)
    /// A lane worker would not do the run it was sent (what it loaded is out
    /// of date) and exits; the run goes to a fresh worker.
    case refused(pid: pid_t, reason: String)
    /// The pipe could not be read (only the progress display is lost).
    case unreadable(pid: pid_t, reason: String)
    /// The worker was reaped; `status` is what `waitpid` returned.
    case exited(pid: pid_t, status: Int32)
}
