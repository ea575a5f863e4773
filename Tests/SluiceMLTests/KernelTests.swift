import Foundation
import SluiceKernels
import SluiceML
import SluiceTestSupport
import Testing

@Suite struct KernelTests {
    @Test func vectorExpAndLog1pAreAccurate() {
        var worstExp = 0.0, worstLog = 0.0
        var x: Float = -80
        while x < 80 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0123 })
            let e = SIMDMath.exp(lanes)
            for lane in 0..<8 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worstExp = max(worstExp, abs(Double(e[lane]) - exact) / exact)
            }
            x += 0.1
        }
        var t: Float = 0
        while t <= 1 {
            let lanes = SIMD8<Float>((0..<8).map { min(1, t + Float($0) * 0.0001) })
            let l = SIMDMath.log1p(lanes)
            for lane in 0..<8 { worstLog = max(worstLog, abs(Double(l[lane]) - Foundation.log1p(Double(lanes[lane])))) }
            t += 0.001
        }
        #expect(worstExp < 1e-6, "exp relative error \(worstExp)")
        #expect(worstLog < 2e-7, "log1p absolute error \(worstLog)")
    }

    @Test func theFusedPassAgreesWithAPlainDoubleComputation() {
        var rng = TestRandom(seed: 4)
        let rows = 1003, d = 7   // not a multiple of 8: padding must not count
        let columns = (0..<d).map { _ in (0..<rows).map { _ in Float(rng.uniform() * 2 - 1) } }
        let labels = (0..<rows).map { _ in Float(rng.uniform() < 0.4 ? 1 : 0) }
        let buffers = columns.map { column in column.withUnsafeBufferPointer { $0 } }
        let blocked = BlockedRows(columns: buffers, rows: Array(0..<rows), labels: labels)
        let parameters = (0...d).map { Double($0) * 0.1 - 0.3 }
        let (value, gradient) = LogisticObjective(rows: blocked, c: 2, threads: 2).evaluate(parameters)
        var loss = 0.0
        var expected = [Double](repeating: 0, count: d + 1)
        for i in 0..<rows {
            var z = parameters[d]
            for j in 0..<d { z += parameters[j] * Double(columns[j][i]) }
            loss += Foundation.log1p(Foundation.exp(-abs(z))) + max(z, 0) - Double(labels[i]) * z
            let r = 1 / (1 + Foundation.exp(-z)) - Double(labels[i])
            for j in 0..<d { expected[j] += r * Double(columns[j][i]) }
            expected[d] += r
        }
        let n = Double(rows)
        var expectedValue = loss / n
        for j in 0..<d {
            expectedValue += parameters[j] * parameters[j] / (2 * 2 * n)
            expected[j] = expected[j] / n + parameters[j] / (2 * n)
        }
        expected[d] /= n
        #expect(abs(value - expectedValue) < 1e-6)
        for j in 0...d { #expect(abs(gradient[j] - expected[j]) < 1e-6, "gradient \(j)") }
    }

    @Test func cpuSupportNamesWhatIsMissing() {
        #expect(CPUSupport.missing(bits: 0x1ff).isEmpty)
        #expect(CPUSupport.missing(bits: 0) == CPUSupport.required)
        let withoutFMA = CPUSupport.missing(bits: 0x1ff & ~(1 << 2))
        #expect(withoutFMA == (CPUSupport.required.isEmpty ? [] : ["fma"]))
        // This machine runs the tests, so it can run the kernels.
        #expect(CPUSupport.refusal() == nil)
    }
}
