import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Turns signals into bytes on a pipe (the self-pipe trick). The handlers are
/// installed synchronously, before READY, so a SIGTERM or SIGHUP that comes
/// right after READY is never lost or fatal (ServiceGroup's own signal option
/// registers its handler later, on a dispatch queue). The handler only calls
/// `write(2)`, which is async-signal-safe; ``SignalRouter`` reads the pipe.
enum SignalPipe {
    // Written once by install() before any handler can run, then only read
    // (by the handler and the router's thread): no concurrent mutation.
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    nonisolated(unsafe) static var readEnd: Int32 = -1

    /// Installs handlers for `signals`; returns the pipe's read end (blocking).
    static func install(_ signals: [Int32]) throws -> Int32 {
        if readEnd >= 0 { return readEnd }
        let (read, write) = try Syscall.pipe(nonBlocking: false)
        (readEnd, writeEnd) = (read, write)
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = Glibc.write(SignalPipe.writeEnd, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            try Syscall.run("sigaction") { sigaction(signal, &action, nil) }
        }
        // A parent may have started us with these signals blocked (the mask is
        // inherited across exec); handling them means unblocking them.
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        return read
    }
}
