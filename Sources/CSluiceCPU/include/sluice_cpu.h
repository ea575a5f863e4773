#ifndef SLUICE_CPU_H
#define SLUICE_CPU_H
/* CPU feature checks by CPUID (__builtin_cpu_supports), which Swift cannot
 * call directly. Compiled for the baseline ISA, so it is safe to call on any
 * x86-64 CPU; reads no files (works where /proc/cpuinfo is hidden). */

/* Bit per feature, in this order: avx avx2 fma bmi bmi2 f16c movbe lzcnt popcnt.
 * A set bit means the CPU has it. Always 0 off x86-64. */
unsigned sluice_cpu_features(void);

#endif
