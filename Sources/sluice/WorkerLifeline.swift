import Foundation
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// A worker ends with its daemon. The daemon passes the read end of a pipe
/// only it can write to; end of file on it means the daemon is gone (killed,
/// crashed), and the worker exits at once rather than race the next daemon's
/// recovery over the same drop.
enum WorkerLifeline {
    /// Exit status of a worker whose daemon is gone (nobody reads it).
    static let orphanStatus: Int32 = 79

    /// Exits now if the daemon is already gone; otherwise watches on a thread of its own.
    static func watch(_ fd: Int32) throws {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, 0)
        if ready > 0 { orphaned() }   // readable only at end of file: nothing is ever written
        if ready < 0 { throw SystemError(call: "poll", path: "lifeline fd \(fd)", code: errno) }
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(fd, &byte, 1) < 0, errno == EINTR {}
            orphaned()
        }
    }

    private static func orphaned() -> Never {
        FileSystem.writeStandardError("sluice work \(getpid()): the daemon is gone; stopping this run (the next daemon redoes it)\n")
        _exit(orphanStatus)
    }
}
