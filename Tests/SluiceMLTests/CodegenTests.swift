import Foundation
import SluiceML
import SluiceSystem
import SluiceTestSupport
import Testing

/// Checks the code the compiler made, not the code we hoped for: the train
/// plugin's fused loss/gradient pass must use 8-wide FMA on ymm registers
/// (`vfmadd…ps … %ymm`), and never call `fmaf` (what `addingProduct`
/// becomes when the kernels are built for the SSE2 baseline).
@Suite(.enabled(if: FileSystem.exists("/usr/bin/objdump") && !CPUSupport.required.isEmpty,
                "needs objdump and kernels built for x86-64-v3"))
struct CodegenTests {
    /// Instructions of every function in `library` whose symbol contains `name`.
    func disassembly(of library: String, functionsNamed name: String) throws -> [String: [String]] {
        let result = try Command.run("/usr/bin/objdump", ["-d", "--no-show-raw-insn", library])
        var functions: [String: [String]] = [:]
        var current: String?
        for line in result.stdout.split(separator: "\n") {
            if line.hasSuffix(">:"), let open = line.firstIndex(of: "<") {
                let symbol = String(line[line.index(after: open)..<line.index(line.endIndex, offsetBy: -2)])
                current = symbol.contains(name) ? symbol : nil
                continue
            }
            if let current { functions[current, default: []].append(String(line)) }
        }
        return functions
    }

    @Test func theFusedPassUsesYmmFMAAndNoFmafCalls() throws {
        // The sweep may be its own function or inlined into the chunk closure.
        let functions = try disassembly(of: BuildProducts.plugin("sluice-train"), functionsNamed: "17LogisticObjective")
        let sweep = try #require(functions.values.max { $0.count < $1.count }, "no LogisticObjective code in libsluice-train.so")
        let fma = sweep.filter { $0.contains("vfmadd") && $0.contains("ps") && $0.contains("%ymm") }
        #expect(fma.count >= 3, "expected ymm FMA in the hot loop, found \(fma.count):\n\(sweep.joined(separator: "\n"))")
        #expect(!sweep.contains { $0.contains("call") && $0.contains("fmaf") })
        // Nothing in the pass falls back to per-lane library code.
        for slow in ["pointwiseMin", "pointwiseMax", "FloatingPointRoundingRule", "rintf", "expf", "log1pf"] {
            #expect(!sweep.contains { $0.contains("call") && $0.contains(slow) }, "the pass calls \(slow)")
        }
        let all = try disassembly(of: BuildProducts.plugin("sluice-train"), functionsNamed: "17LogisticObjective")
        #expect(!all.values.joined().contains { $0.contains("call") && $0.contains("<fmaf") })
    }

    /// The multinomial, squared-error and Gram passes too: ymm FMA, no per-lane library calls.
    @Test(arguments: ["16SoftmaxObjective", "16SquaredObjective", "8GramPass"])
    func theOtherPassesUseYmmFMA(symbol: String) throws {
        let functions = try disassembly(of: BuildProducts.plugin("sluice-train"), functionsNamed: symbol)
        let code = functions.values.joined()
        let fma = code.filter { $0.contains("vfmadd") && $0.contains("ps") && $0.contains("%ymm") }
        #expect(fma.count >= 2, "\(symbol): expected ymm FMA, found \(fma.count)")
        for slow in ["fmaf", "expf", "logf", "log1pf", "rintf", "pointwiseMin", "pointwiseMax"] {
            #expect(!code.contains { $0.contains("call") && $0.contains("<\(slow)") }, "\(symbol) calls \(slow)")
        }
    }
}
