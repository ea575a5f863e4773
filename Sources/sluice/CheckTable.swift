import Foundation
import SluiceData

/// The small built-in table `sluice plugins check` runs a stage on when no
/// --data is given: 400 seeded rows shaped like a churn drop, with what
/// stages must cope with — missing values, an extreme value, a repeated row.
enum CheckTable {
    static let rows = 400

    /// CSV text for `task`, and its target column.
    static func csv(task: String, seed: UInt64) -> (text: String, target: String) {
        let target = switch task {
        case "multiclass": "segment"
        case "regression": "spend"
        default: "churned"
        }
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var lines = ["tenure,charges,calls,plan,region,\(target)"]
        let plans = ["basic", "standard", "premium"], regions = ["north", "south", "east", "west"]
        for row in 0..<rows {
            let tenure = Int(uniform() * 60) + 1
            var charges = ((20 + uniform() * 80) * 100).rounded() / 100
            if row == 17 { charges = 9_999 }   // an outlier
            let calls = Int(uniform() * 6)
            let plan = plans[Int(uniform() * 3)]
            let region = row % 50 == 3 ? "" : regions[Int(uniform() * 4)]   // some missing
            let z = -0.05 * Double(tenure) + 0.02 * (min(charges, 100) - 60) + 0.6 * Double(calls)
                + (plan == "basic" ? 0.5 : plan == "premium" ? -0.5 : 0)
            let label: String = switch task {
            case "multiclass": z < -1 ? "loyal" : z < 0.5 ? "steady" : "at-risk"
            case "regression": String((10 * z + 50 + uniform() * 5).rounded() / 1)
            default: uniform() < 1 / (1 + exp(-z)) ? "yes" : "no"
            }
            let callsText = row % 40 == 5 ? "" : String(calls)
            lines.append("\(tenure),\(charges),\(callsText),\(plan),\(region),\(label)")
        }
        lines.append(lines[lines.count - 1])   // a repeated row
        return (lines.joined(separator: "\n") + "\n", target)
    }
}
