import CSluiceLinux

/// How a run process (a worker, or `serve --once`) uses malloc.
public enum MemoryReuse {
    /// Keeps freed large blocks in the process for reuse instead of returning
    /// them to the kernel: glibc serves blocks past 128 KiB (up to 32 MiB as it
    /// adapts) with fresh `mmap`s and unmaps them on `free`, so every column a
    /// stage writes lands on new pages the kernel must fault in and zero — on
    /// a 1M-row drop that was over half of the features stage's time. A run
    /// is a short-lived process, so the memory it keeps is returned when it
    /// exits. The daemon itself does not call this.
    public static func keepFreedMemory() {
        // Blocks up to 1 GiB come from the heap, and its free top is not trimmed.
        _ = sluice_keep_freed_memory()
    }
}
