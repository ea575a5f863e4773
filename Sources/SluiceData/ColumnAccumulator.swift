#if canImport(Glibc)
import Glibc
#endif
import CSluiceLinux

/// One table column as it is read: 4-byte values (Float32 numbers or Int32
/// codes) appended window by window, in large-array memory (2 MiB pages, see
/// `sluice_alloc_large`) sized from an estimate of the drop's rows. Growing
/// past the estimate copies once per doubling. The finished column is handed
/// to the table's storage as is: no second copy, and the chunk pieces that fed
/// it are reused for the next window instead of being freed and faulted in
/// again (page faults were a fifth of the reader's time).
struct ColumnAccumulator {
    private(set) var memory: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        guard let memory = sluice_alloc_large(self.capacity * 4) else {
            fatalError("out of memory for a column of \(self.capacity) rows")
        }
        self.memory = memory
    }

    mutating func append(_ source: UnsafeRawPointer, count added: Int) {
        if count + added > capacity {
            let grown = max(capacity * 2, count + added)
            guard let larger = sluice_alloc_large(grown * 4) else {
                fatalError("out of memory for a column of \(grown) rows")
            }
            larger.copyMemory(from: memory, byteCount: count * 4)
            free(memory)
            memory = larger
            capacity = grown
        }
        (memory + count * 4).copyMemory(from: source, byteCount: added * 4)
        count += added
    }

    /// The values as `T` (Float or Int32), handed over: the caller frees them
    /// (NumericStorage and CategoricalStorage do).
    func handOver<T>(as type: T.Type) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: memory.bindMemory(to: T.self, capacity: capacity), count: count)
    }

    /// Frees the memory when it was not handed over.
    func discard() { free(memory) }
}
