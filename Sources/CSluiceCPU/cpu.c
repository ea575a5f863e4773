#include "sluice_cpu.h"

unsigned sluice_cpu_features(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    unsigned bits = 0;
    bits |= (__builtin_cpu_supports("avx") ? 1u : 0u) << 0;
    bits |= (__builtin_cpu_supports("avx2") ? 1u : 0u) << 1;
    bits |= (__builtin_cpu_supports("fma") ? 1u : 0u) << 2;
    bits |= (__builtin_cpu_supports("bmi") ? 1u : 0u) << 3;
    bits |= (__builtin_cpu_supports("bmi2") ? 1u : 0u) << 4;
    bits |= (__builtin_cpu_supports("f16c") ? 1u : 0u) << 5;
    bits |= (__builtin_cpu_supports("movbe") ? 1u : 0u) << 6;
    bits |= (__builtin_cpu_supports("lzcnt") ? 1u : 0u) << 7;
    bits |= (__builtin_cpu_supports("popcnt") ? 1u : 0u) << 8;
    return bits;
#else
    return 0;
#endif
}
