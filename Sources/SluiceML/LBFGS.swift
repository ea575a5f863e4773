/// Limited-memory BFGS with a backtracking line search. Deterministic.
///
/// A step is accepted by the Armijo condition, or — near the optimum, where
/// the objective's rounding noise (Float32 data, vector exp/log) hides real
/// decreases — by Hager and Zhang's approximate Wolfe condition: the value
/// does not rise by more than 1e-7 relative (above the ~5e-8 noise) and the directional derivative
/// has shrunk (σφ'(0) ≤ φ'(α) ≤ (2δ−1)φ'(0), δ = 0.1, σ = 0.9).
enum LBFGS {
    struct Result {
        let x: [Double]
        let value: Double
        let gradientNorm: Double
        let iterations: Int
        let evaluations: Int
        let converged: Bool
    }

    static func minimize(_ start: [Double], memory: Int, maxIterations: Int, gradientTolerance: Double,
                         evaluate: ([Double]) -> (Double, [Double]),
                         progress: TrainingProgress?) -> Result {
        var x = start
        var (value, gradient) = evaluate(x)
        var evaluations = 1
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var iteration = 0
        var norm = infinityNorm(gradient)
        while iteration < maxIterations && norm > gradientTolerance {
            iteration += 1
            // Two-loop recursion: direction = −H·g.
            var q = gradient
            var alpha = [Double](repeating: 0, count: s.count)
            for k in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[k] = rho[k] * dot(s[k], q)
                axpy(-alpha[k], y[k], &q)
            }
            if let lastS = s.last, let lastY = y.last {
                let scale = dot(lastS, lastY) / dot(lastY, lastY)
                for i in q.indices { q[i] *= scale }
            } else {
                let scale = 1.0 / max(norm, 1.0)
                for i in q.indices { q[i] *= scale }
            }
            for k in 0..<s.count {
                let beta = rho[k] * dot(y[k], q)
                axpy(alpha[k] - beta, s[k], &q)
            }
            var direction = q.map { -$0 }
            var slope = dot(gradient, direction)
            if slope >= 0 {   // not a descent direction: restart with steepest descent
                s.removeAll(); y.removeAll(); rho.removeAll()
                direction = gradient.map { -$0 }
                slope = dot(gradient, direction)
            }
            // Backtracking line search.
            var step = 1.0
            var candidate = x, candidateValue = value, candidateGradient = gradient
            var accepted = false
            for _ in 0..<40 {
                candidate = zip(x, direction).map { $0 + step * $1 }
                (candidateValue, candidateGradient) = evaluate(candidate)
                evaluations += 1
                if candidateValue <= value + 1e-4 * step * slope { accepted = true; break }
                let derivative = dot(candidateGradient, direction)
                if candidateValue <= value + 1e-7 * abs(value),
                   derivative >= 0.9 * slope, derivative <= -0.8 * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            if !accepted { break }
            let sk = zip(candidate, x).map { $0 - $1 }
            let yk = zip(candidateGradient, gradient).map { $0 - $1 }
            let sy = dot(sk, yk)
            if sy > 1e-12 {
                s.append(sk); y.append(yk); rho.append(1 / sy)
                if s.count > memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
            }
            x = candidate; value = candidateValue; gradient = candidateGradient
            norm = infinityNorm(gradient)
            progress?(iteration, value, norm)
        }
        return Result(x: x, value: value, gradientNorm: norm, iterations: iteration, evaluations: evaluations,
                      converged: norm <= gradientTolerance)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var total = 0.0
        for i in a.indices { total += a[i] * b[i] }
        return total
    }

    static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += alpha * x[i] }
    }

    static func infinityNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
}
