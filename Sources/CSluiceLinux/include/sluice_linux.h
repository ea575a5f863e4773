#ifndef SLUICE_LINUX_H
#define SLUICE_LINUX_H
/* What Swift cannot import from glibc directly (malloc.h is not in the Glibc module). */

/* Keep freed large blocks in the process (mallopt M_MMAP_THRESHOLD and
   M_TRIM_THRESHOLD) instead of unmapping them. Returns 1 when both took. */
int sluice_keep_freed_memory(void);

/* glibc's defaults again: blocks past 128 KiB are mapped on their own and
   returned to the kernel when freed; the heap top is trimmed past 128 KiB. */
int sluice_return_freed_memory(void);

#include <stddef.h>

/* Memory for a large array (a table column, a training matrix): from
   `bytes` = 4 MiB up, 2 MiB-aligned and marked MADV_HUGEPAGE, so the kernel
   faults it in 2 MiB at a time instead of 4 KiB; below that, plain malloc.
   Release with free(). NULL when out of memory. */
void *sluice_alloc_large(size_t bytes);

#endif
