import SluiceConfig
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// setrlimit(2) for a worker, before plugins load.
enum ResourceLimits {
    static func apply(_ limits: RunLimits) throws {
        try applyLasting(limits)
        try set(RLIMIT_CPU, UInt64(limits.cpuSeconds), hard: UInt64(limits.cpuSeconds) + 5, name: "RLIMIT_CPU")
    }

    /// A lane worker's limits, set once before its plugins load: memory and
    /// open files hold for the whole process; CPU is set before each run.
    static func applyLasting(_ limits: RunLimits) throws {
        try set(RLIMIT_AS, UInt64(limits.memoryMB) << 20, name: "RLIMIT_AS")
        try set(RLIMIT_NOFILE, UInt64(limits.openFiles), name: "RLIMIT_NOFILE")
    }

    /// A lane worker's CPU limit for its next run: `seconds` more than it has
    /// used so far, as the soft limit (SIGXCPU ends the worker, failing only
    /// that run). The hard limit is left as it was, so the next run can have its own.
    static func cpu(forNextRun seconds: Int) throws {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let used = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1
        var current = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &current)
        var wanted = rlimit(rlim_cur: rlim_t(min(UInt64(used) + UInt64(seconds), UInt64(current.rlim_max))),
                            rlim_max: current.rlim_max)
        try Syscall.run("setrlimit(RLIMIT_CPU)") { setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &wanted) }
    }

    static func set(_ resource: __rlimit_resource, _ soft: UInt64, hard: UInt64? = nil, name: String) throws {
        var current = rlimit()
        getrlimit(__rlimit_resource_t(resource.rawValue), &current)
        // Never raise above what we were given.
        var wanted = rlimit(rlim_cur: rlim_t(min(soft, UInt64(current.rlim_max))),
                            rlim_max: rlim_t(min(hard ?? soft, UInt64(current.rlim_max))))
        if wanted.rlim_cur > wanted.rlim_max { wanted.rlim_cur = wanted.rlim_max }
        try Syscall.run("setrlimit(\(name))") { setrlimit(__rlimit_resource_t(resource.rawValue), &wanted) }
    }
}
