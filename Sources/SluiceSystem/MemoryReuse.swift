import CSluiceLinux

/// How a run process (a worker, or `serve --once`) uses malloc.
///
/// glibc serves blocks past 128 KiB with fresh `mmap`s and unmaps them on
/// `free`, so every column a stage writes lands on new pages the kernel must
/// fault in and zero — on a 1M-row drop that was over half of the features
/// stage's time. The stages therefore run with freed memory kept for reuse
/// (``keepFreedMemory()``). Ingest runs with glibc's defaults
/// (``returnFreedMemory()``): its chunk pieces are freed while the table's
/// columns are built, and kept pieces would raise its peak RSS from about
/// 1.3× to 2.2× the table.
public enum MemoryReuse {
    /// Blocks up to 1 GiB come from the heap, and its free top is not trimmed.
    public static func keepFreedMemory() { _ = sluice_keep_freed_memory() }

    /// glibc's defaults: large blocks are returned to the kernel when freed.
    public static func returnFreedMemory() { _ = sluice_return_freed_memory() }
}
