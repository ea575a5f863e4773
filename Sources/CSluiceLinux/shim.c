#include "sluice_linux.h"
#include <malloc.h>

int sluice_keep_freed_memory(void) {
    int mmap = mallopt(M_MMAP_THRESHOLD, 1 << 30);
    int trim = mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
    return mmap == 1 && trim == 1;
}
