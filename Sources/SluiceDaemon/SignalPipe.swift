import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Turns signals into bytes on a pipe (the self-pipe trick), so the event
/// loop sees SIGTERM, SIGINT, SIGHUP and SIGCHLD through `poll` like any other
/// input. The handler only calls `write(2)`, which is async-signal-safe.
enum SignalPipe {
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    nonisolated(unsafe) static var readEnd: Int32 = -1

    /// Installs handlers for `signals`; returns the pipe's read end.
    static func install(_ signals: [Int32]) throws -> Int32 {
        if readEnd >= 0 { return readEnd }
        (readEnd, writeEnd) = try Syscall.pipe(nonBlocking: true)
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                let saved = errno
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(SignalPipe.writeEnd, &byte, 1)
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
        return readEnd
    }

    /// Signals received since the last call, in order.
    static func drain() -> [Int32] {
        var signals: [Int32] = []
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) == 1 { signals.append(Int32(byte)) }
        return signals
    }
}
