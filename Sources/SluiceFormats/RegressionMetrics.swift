import Foundation

/// Regression metrics with scikit-learn's definitions.
public enum RegressionMetrics {
    public static func rmse(truth: [Double], predicted: [Double]) -> Double {
        guard !truth.isEmpty else { return .nan }
        return (zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(truth.count)).squareRoot()
    }

    public static func mae(truth: [Double], predicted: [Double]) -> Double {
        guard !truth.isEmpty else { return .nan }
        return zip(truth, predicted).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(truth.count)
    }

    /// 1 − SS_res / SS_tot: negative when worse than predicting the mean;
    /// with a constant truth, 1 for a perfect fit and 0 otherwise (scikit-learn's convention).
    public static func r2(truth: [Double], predicted: [Double]) -> Double {
        guard truth.count >= 2 else { return .nan }
        let mean = truth.reduce(0, +) / Double(truth.count)
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let residual = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }

    /// Mean |y − ŷ| / |y|; NaN (undefined) when some true value is 0.
    /// (scikit-learn divides by max(|y|, ε) instead, which gives huge values there.)
    public static func mape(truth: [Double], predicted: [Double]) -> Double {
        guard !truth.isEmpty, !truth.contains(0) else { return .nan }
        return zip(truth, predicted).reduce(0) { $0 + abs($1.0 - $1.1) / abs($1.0) } / Double(truth.count)
    }
}
