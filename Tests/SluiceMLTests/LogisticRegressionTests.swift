import SluiceKernels
import SluiceML
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct LogisticRegressionTests {
    /// Seeded data from a known logistic model.
    func data(rows: Int, seed: UInt64) -> (columns: [[Float]], labels: [Float]) {
        var state = seed
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        let truth = [1.5, -2.0, 0.5]
        var columns = [[Float]](repeating: [], count: 3)
        var labels: [Float] = []
        for _ in 0..<rows {
            var z = -0.3
            for j in 0..<3 {
                let x = uniform() * 4 - 2
                columns[j].append(Float(x))
                z += truth[j] * x
            }
            labels.append(uniform() < 1 / (1 + exp(-z)) ? 1 : 0)
        }
        return (columns, labels)
    }

    func fit(_ columns: [[Float]], _ labels: [Float], c: Double = 1.0) -> LogisticRegression.FitResult {
        let buffers = columns.map { column in column.withUnsafeBufferPointer { $0 } }
        var options = LogisticRegression.Options()
        options.c = c
        return try! LogisticRegression.fit(BlockedRows(columns: buffers, rows: Array(0..<labels.count), labels: labels),
                                           options: options)
    }

    @Test func convergesToTheOptimumWithAZeroGradient() {
        let (columns, labels) = data(rows: 5000, seed: 11)
        let result = fit(columns, labels)
        #expect(result.converged)
        #expect(result.gradientNorm <= 1e-5)
        // The fitted weights recover the generating ones (n = 5000, weak L2).
        #expect(abs(result.weights[0] - 1.5) < 0.15)
        #expect(abs(result.weights[1] + 2.0) < 0.15)
        #expect(abs(result.weights[2] - 0.5) < 0.15)
    }

    @Test func isDeterministicToTheBit() {
        let (columns, labels) = data(rows: 3001, seed: 5)   // not a multiple of the SIMD width
        let a = fit(columns, labels), b = fit(columns, labels)
        #expect(a.weights.map(\.bitPattern) == b.weights.map(\.bitPattern))
        #expect(a.intercept.bitPattern == b.intercept.bitPattern)
    }

    @Test func strongerRegularizationShrinksTheWeights() {
        let (columns, labels) = data(rows: 2000, seed: 3)
        let loose = fit(columns, labels, c: 10)
        let tight = fit(columns, labels, c: 0.001)
        let norm = { (w: [Double]) in w.reduce(0) { $0 + $1 * $1 } }
        #expect(norm(tight.weights) < norm(loose.weights) / 4)
    }

    @Test func theObjectiveMatchesItsDefinitionAtTheOptimum() {
        // F = (1/n) Σ softplus(z) − y·z + ‖w‖² / (2·C·n), recomputed here in Double.
        let (columns, labels) = data(rows: 800, seed: 9)
        let result = fit(columns, labels, c: 0.5)
        var loss = 0.0
        for i in 0..<labels.count {
            var z = result.intercept
            for j in 0..<3 { z += result.weights[j] * Double(columns[j][i]) }
            loss += log1p(exp(-abs(z))) + max(z, 0) - Double(labels[i]) * z
        }
        let n = Double(labels.count)
        let expected = loss / n + result.weights.reduce(0) { $0 + $1 * $1 } / (2 * 0.5 * n)
        #expect(abs(result.objective - expected) < 1e-6 * expected, "\(result.objective) vs \(expected)")
    }
}
