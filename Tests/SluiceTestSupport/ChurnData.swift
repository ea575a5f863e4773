import Foundation

/// Seeded synthetic churn-like CSV for tests (the shape of inbox-example's
/// data: numeric columns, two categorical ones, a yes/no target).
public enum ChurnData {
    public static let header = "tenure,charges,calls,sessions,plan,region,churned"

    /// `rows` data rows from `seed`. `signal` scales how learnable the target is.
    public static func csv(rows: Int, seed: UInt64, signal: Double = 1.0) -> String {
        var rng = TestRandom(seed: seed)
        var lines = [header]
        let plans = ["basic", "standard", "premium"], regions = ["north", "south", "east"]
        for _ in 0..<rows {
            let tenure = Int(rng.uniform() * 60) + 1
            let charges = (20 + rng.uniform() * 80 * 100).rounded() / 100
            let calls = Int(rng.uniform() * 6)
            let sessions = Int(rng.uniform() * 30)
            let plan = plans[Int(rng.uniform() * 3)]
            let region = regions[Int(rng.uniform() * 3)]
            let z = signal * (-0.05 * Double(tenure) + 0.02 * (charges - 60) + 0.6 * Double(calls) - 0.05 * Double(sessions)
                              + (plan == "basic" ? 0.5 : plan == "premium" ? -0.5 : 0))
            let churned = rng.uniform() < 1 / (1 + exp(-z)) ? "yes" : "no"
            lines.append("\(tenure),\(charges),\(calls),\(sessions),\(plan),\(region),\(churned)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// SplitMix64 for test data (independent of the code under test).
public struct TestRandom {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
