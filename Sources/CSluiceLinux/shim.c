#define _GNU_SOURCE
#include "sluice_linux.h"
#include <malloc.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

int sluice_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

int sluice_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

int sluice_keep_freed_memory(void) {
    int mmap = mallopt(M_MMAP_THRESHOLD, 1 << 30);
    int trim = mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
    return mmap == 1 && trim == 1;
}

int sluice_release_freed_memory(void) {
    return malloc_trim(0);
}

void *sluice_alloc_large(size_t bytes) {
    const size_t huge = (size_t)2 << 20;
    if (bytes < 2 * huge) return malloc(bytes ? bytes : 1);
    size_t rounded = (bytes + huge - 1) & ~(huge - 1);
    void *memory = aligned_alloc(huge, rounded);
    if (memory) (void)madvise(memory, rounded, MADV_HUGEPAGE);
    return memory;
}
