import CSluiceLinux

/// How a run process (a worker, or `serve --once`) uses malloc.
///
/// glibc serves blocks past 128 KiB with fresh `mmap`s and unmaps them on
/// `free`, so every column a stage writes lands on new pages the kernel must
/// fault in and zero — on a 1M-row drop that was over half of the features
/// stage's time. A run therefore keeps freed memory for reuse
/// (``keepFreedMemory()``) from ingest on: ingest reuses its chunk memory
/// instead of freeing pieces as it goes, so its peak RSS is the same in either
/// mode (1.33× the table on the benchmark), and the table's columns, once
/// features replaces them, become the training matrix's memory (train stage on
/// 1M rows: 184–200 → 120–144 ms).
public enum MemoryReuse {
    /// Blocks up to 1 GiB come from the heap, and its free top is not trimmed.
    public static func keepFreedMemory() { _ = sluice_keep_freed_memory() }

    /// Hands the heap's free memory back to the kernel (a lane worker between runs).
    public static func releaseFreedMemory() { _ = sluice_release_freed_memory() }

}
