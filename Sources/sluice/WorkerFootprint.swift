import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// A lane worker's resident memory and open descriptors after a run: a
/// worker whose footprint grew past its first run's is replaced, so a plugin
/// that leaks memory or descriptors cannot make a later run fail.
struct WorkerFootprint: Equatable {
    let residentBytes: Int
    let descriptors: Int

    /// Growth allowed beyond the first run's footprint before the worker is replaced.
    static let memorySlackBytes = 64 << 20
    static let descriptorSlack = 2

    /// This process now (after handing freed memory back with `malloc_trim`).
    static func now() throws -> WorkerFootprint {
        MemoryReuse.releaseFreedMemory()
        let statm = try FileSystem.readText("/proc/self/statm").split(separator: " ")
        guard statm.count > 1, let pages = Int(statm[1]) else {
            throw SystemError(call: "parse", path: "/proc/self/statm", code: EINVAL)
        }
        let descriptors = try FileSystem.listRaw("/proc/self/fd").count
        return WorkerFootprint(residentBytes: pages * sysconf(Int32(_SC_PAGESIZE)), descriptors: descriptors)
    }

    /// Why this footprint is too far past `baseline`, or nil when it is not.
    func grown(beyond baseline: WorkerFootprint) -> String? {
        if residentBytes > baseline.residentBytes + Self.memorySlackBytes {
            return "resident memory grew from \(baseline.residentBytes >> 20) MB after its first run to \(residentBytes >> 20) MB"
        }
        if descriptors > baseline.descriptors + Self.descriptorSlack {
            return "open descriptors grew from \(baseline.descriptors) after its first run to \(descriptors)"
        }
        return nil
    }
}
