#if canImport(Glibc)
import Glibc
#endif

/// A file mapped read-only into memory, unmapped when the last column
/// viewing it goes: a column cache's columns are read in place instead of
/// copied out, and a window copies each once, into the stacked table (only
/// that copy reaches plugins). Read-only and faulted in at once
/// (`MAP_POPULATE`): a writable private mapping would copy every page when
/// populated, which measured slower than the copy it saves.
final class MappedRegion: @unchecked Sendable {
    // Sendable: the pointer and size never change after init, and the
    // mapping is only read through the storages that hold this object.
    let base: UnsafeMutableRawPointer
    let size: Int

    /// Maps `size` bytes of `fd` from its start, faulted in at once (`MAP_POPULATE`).
    init?(fd: Int32, size: Int) {
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), map != MAP_FAILED else {
            return nil
        }
        base = map
        self.size = size
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    deinit { munmap(base, size) }
}
