#if canImport(Glibc)
import Glibc
#endif

/// Why a worker's exit was not a normal one, in words for the ledger.
enum WorkerExit {
    /// Describes a `waitpid` status, or nil for exit 0.
    static func failure(status: Int32, timedOut: Bool, limitSeconds: Double) -> String? {
        let signaled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        let code = (status >> 8) & 0xff
        if timedOut {
            return "worker stopped: time limit of \(Int(limitSeconds)) s exceeded"
                + (signaled ? " (killed by \(signalName(status & 0x7f)))" : "")
        }
        if signaled {
            let number = status & 0x7f
            var text = "worker killed by signal \(number) (\(signalName(number)))"
            switch number {
            case SIGXCPU: text += ": CPU time limit exceeded"
            case SIGSEGV, SIGBUS: text += ": a plugin crashed"
            case SIGABRT, SIGTRAP: text += ": a plugin aborted (out of memory under the memory limit, or a failed check)"
            default: break
            }
            return text
        }
        if code != 0 { return "worker exited with status \(code)" }
        return nil
    }

    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGTRAP: "SIGTRAP"
        case SIGXCPU: "SIGXCPU"
        default: "signal \(number)"
        }
    }
}
