import SluiceKernels
import SluiceML
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Same data, same objective, same optimum as scikit-learn. The expected
/// numbers were computed once by Benchmarks/sklearn_reference.py (scikit-learn
/// 1.9.1, `LogisticRegression(C=C, tol=1e-12)`), which regenerates this exact
/// dataset from the same seed.
@Suite struct ScikitLearnParityTests {
    struct Case {
        let rows: Int, seed: UInt64, truth: [Double], intercept: Double, c: Double
        let objective: Double, fittedIntercept: Double, coefficients: [Double]
    }

    static let binary5 = Case(
        rows: 2000, seed: 2026, truth: [1.5, -2.0, 0.5, 0.0, 0.8], intercept: -0.3, c: 1.0,
        objective: 0.3517254904865682, fittedIntercept: -0.24742874267064371,
        coefficients: [1.4191818745498999, -1.8864477961610402, 0.4497852090577667, -0.053577804711526476, 0.8545691324062987])
    static let strongL2 = Case(
        rows: 2000, seed: 2026, truth: [1.5, -2.0, 0.5, 0.0, 0.8], intercept: -0.3, c: 0.01,
        objective: 0.4383904518440439, fittedIntercept: -0.18375166331903522,
        coefficients: [0.8066672003019494, -1.1050541129296956, 0.2562347078261849, -0.03297654926033518, 0.48726173613184953])
    static let wide30 = Case(
        rows: 300, seed: 7, truth: (0..<30).map { 0.3 * ($0.isMultiple(of: 2) ? 1.0 : -1.0) * Double($0 % 4) },
        intercept: 0.2, c: 1.0, objective: 0.2639131387362231, fittedIntercept: 0.012021514239523523,
        coefficients: [-0.050510138994302824, -0.5558486642535948, 0.6462437370619711, -0.8269199013940245, 0.037387827296012595, -0.04390093730454706, 0.44344385344146464, -0.7305430878434774, 0.21832221978159164, -0.43135194227267315, 0.6441557545427237, -1.1129297842811257, 0.11883754293238323, -0.3312463707866516, 0.8082352603413455, -0.88345074818593, -0.08933422535725381, -0.21609123343041647, 0.49293855197773895, -0.8468086527625365, -0.0018580784243182088, -0.6597982919893378, 0.5912930766689012, -0.7847266550189326, 0.10188054612958654, -0.2836776457470909, 0.6041206242143095, -1.0672897731079913, -0.19769794927813106, -0.5443469147868836])

    /// The generator of Benchmarks/sklearn_reference.py, operation for operation.
    static func dataset(_ spec: Case) -> (columns: [[Float]], labels: [Float]) {
        var state = spec.seed
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(UInt64(1) << 53)
        }
        var columns = [[Float]](repeating: [], count: spec.truth.count)
        var labels: [Float] = []
        for _ in 0..<spec.rows {
            var z = spec.intercept
            for (j, w) in spec.truth.enumerated() {
                let x = Float(uniform() * 4 - 2)
                columns[j].append(x)
                z += w * Double(x)
            }
            labels.append(uniform() < 1 / (1 + exp(-z)) ? 1 : 0)
        }
        return (columns, labels)
    }

    static func fit(_ spec: Case, threads: Int = 2) throws -> LogisticRegression.FitResult {
        let (columns, labels) = dataset(spec)
        let buffers = columns.map { column in column.withUnsafeBufferPointer { $0 } }
        var options = LogisticRegression.Options()
        options.c = spec.c
        options.gradientTolerance = 1e-6
        options.maxIterations = 1000
        options.threads = threads
        return try LogisticRegression.fit(BlockedRows(columns: buffers, rows: Array(0..<labels.count), labels: labels),
                                          options: options)
    }

    @Test(arguments: [("binary5", binary5), ("strong L2", strongL2), ("30 features, 300 rows", wide30)])
    func theOptimumMatchesScikitLearn(name: String, spec: Case) throws {
        let result = try Self.fit(spec)
        #expect(result.converged, "\(name): stopped at |grad| \(result.gradientNorm)")
        #expect(abs(result.objective - spec.objective) / spec.objective < 1e-4,
                "\(name): objective \(result.objective) vs scikit-learn \(spec.objective)")
        #expect(abs(result.intercept - spec.fittedIntercept) < 1e-3, "\(name): intercept")
        for (j, expected) in spec.coefficients.enumerated() {
            #expect(abs(result.weights[j] - expected) < 1e-3, "\(name): coefficient \(j): \(result.weights[j]) vs \(expected)")
        }
    }

    @Test func threadsDoNotChangeTheBits() throws {
        let one = try Self.fit(Self.binary5, threads: 1)
        let two = try Self.fit(Self.binary5, threads: 2)
        let eight = try Self.fit(Self.binary5, threads: 8)
        #expect(one.weights.map(\.bitPattern) == two.weights.map(\.bitPattern))
        #expect(one.weights.map(\.bitPattern) == eight.weights.map(\.bitPattern))
        #expect(one.intercept.bitPattern == eight.intercept.bitPattern)
    }
}
