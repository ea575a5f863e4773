import CSluiceCPU

/// Whether this CPU can run the training kernels. `SluiceKernels` is compiled
/// for the x86-64-v3 level (AVX2 + FMA: 8-wide fused multiply-add on ymm
/// registers, plus BMI, F16C, MOVBE, LZCNT); this check asks CPUID (through a
/// baseline-compiled C shim, reading no files — the hardened unit hides
/// /proc/cpuinfo) before any kernel runs, so an older CPU gets a clear refusal
/// instead of SIGILL. See docs/kernels.md.
public enum CPUSupport {
    /// Features in the order of `sluice_cpu_features()`'s bits.
    static let names = ["avx", "avx2", "fma", "bmi", "bmi2", "f16c", "movbe", "lzcnt", "popcnt"]

    /// Features the kernels may use (empty when they were built for the baseline).
    public static let required: [String] = {
        #if SLUICE_KERNELS_V3
        return names
        #else
        return []
        #endif
    }()

    /// Required features missing from a CPU whose feature bits are `bits`.
    public static func missing(bits: UInt32 = sluice_cpu_features()) -> [String] {
        required.filter { name in bits & (1 << UInt32(names.firstIndex(of: name)!)) == 0 }
    }

    /// An error for people, or nil when the kernels can run.
    public static func refusal() -> String? {
        let lacking = missing()
        guard !lacking.isEmpty else { return nil }
        return "the training kernels were built for x86-64-v3 (AVX2 and FMA) and this CPU lacks: "
            + lacking.joined(separator: ", ")
            + "; rebuild sluice with SLUICE_KERNELS=baseline (see docs/kernels.md)"
    }
}
