#ifndef SLUICE_LINUX_H
#define SLUICE_LINUX_H
/* What Swift cannot import from glibc directly (malloc.h is not in the Glibc module). */

/* Keep freed large blocks in the process (mallopt M_MMAP_THRESHOLD and
   M_TRIM_THRESHOLD) instead of unmapping them. Returns 1 when both took. */
int sluice_keep_freed_memory(void);

/* Hands the heap's free memory back to the kernel (malloc_trim(0)), for a
   process that kept freed memory during a run and now waits for the next. */
int sluice_release_freed_memory(void);

/// pipe2(2), which glibc declares only with _GNU_SOURCE.
int sluice_pipe2(int fds[2], int flags);

/// memfd_create(2) with MFD_CLOEXEC: an anonymous file (no name on disk).
int sluice_memfd(const char *name);

#include <stddef.h>

/* Memory for a large array (a table column, a training matrix): from
   `bytes` = 4 MiB up, 2 MiB-aligned and marked MADV_HUGEPAGE, so the kernel
   faults it in 2 MiB at a time instead of 4 KiB; below that, plain malloc.
   Release with free(). NULL when out of memory. */
void *sluice_alloc_large(size_t bytes);

/* 10^q for q in 0...10, exactly (every one is a Float32 value), by one
   indexed load from a constant table (inlined into the Swift caller). Swift
   has no constant arrays without a lazy-initialization check, and LLVM turned
   the branch-free selects of the former Swift version into three branches on
   q's bits. */
static inline float sluice_power_of_ten(long q) {
    static const float powers[11] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    return powers[q];
}

#endif
