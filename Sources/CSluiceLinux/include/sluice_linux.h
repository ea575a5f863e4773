#ifndef SLUICE_LINUX_H
#define SLUICE_LINUX_H
/* What Swift cannot import from glibc directly (malloc.h is not in the Glibc module). */

/* Keep freed large blocks in the process (mallopt M_MMAP_THRESHOLD and
   M_TRIM_THRESHOLD) instead of unmapping them. Returns 1 when both took. */
int sluice_keep_freed_memory(void);

#endif
