import Foundation
import SluiceFormats
import SluicePredict

/// What a scoring drop's predictions look like, for the ledger and the log:
/// the share of each predicted class, or the mean and quantiles of predicted values.
struct ScoringSummary: Codable {
    var rows: Int
    var classShares: [String: Double]?
    var mean: Double?
    var quantiles: [String: Double]?
    var warnings: [String]
    var drift: ScoringDrift?

    init(model: LinearModel, scores: [Double], warnings: [String]) {
        let width = max(model.width, 1)
        rows = scores.count / width
        self.warnings = warnings
        if model.link == "identity" {
            let sorted = scores.sorted()
            mean = scores.reduce(0, +) / Double(max(scores.count, 1))
            func quantile(_ q: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(q * Double(sorted.count - 1)))] }
            quantiles = ["p10": quantile(0.1), "p50": quantile(0.5), "p90": quantile(0.9)]
        } else {
            var counts: [String: Int] = [:]
            for row in 0..<rows { counts[PredictionRow.predicted(model, scores[(row * width)..<((row + 1) * width)]), default: 0] += 1 }
            classShares = counts.mapValues { Double($0) / Double(max(rows, 1)) }
        }
    }

    var text: String {
        if let classShares {
            return classShares.keys.sorted().map { "\($0) \(String(format: "%.1f", classShares[$0]! * 100))%" }.joined(separator: ", ")
        }
        return String(format: "mean %.4g, median %.4g", mean ?? .nan, quantiles?["p50"] ?? .nan)
    }

    func json() throws -> String { String(decoding: try FormatCoding.compactEncoder().encode(self), as: UTF8.self) }
}
