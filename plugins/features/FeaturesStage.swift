import Foundation
import SluiceML
import SluicePluginSDK
import SluiceFormats

/// The stock `features` stage: turns every non-target column into numeric
/// model features, fitted on the training rows only.
///
/// - Numeric columns: missing values filled (`impute`: mean, median,
///   most_frequent or constant — default mean; per column `impute.<column>`;
///   constant uses `fill_value.<column>` or `fill_value`, default 0), then an
///   optional log transform sign(x)·ln(1+|x|) for the columns listed in `log`,
///   then standardized `(x − mean) / sd` (training rows; sd 1 if zero).
/// - Categorical columns: one-hot, one 0/1 column `name=value` per category
///   seen in the training rows (sorted by name); with more than
///   `max_categories` (default 50), the `max_categories − 1` most frequent are
///   kept and the rest share `name=(other)`, which also takes values unseen in
///   training. Missing → all 0.
/// - Columns listed in `hash_columns` (categorical): hashed into `hash_buckets`
///   (default 32) 0/1 features `name#k`, k = FNV-1a-64(value) mod buckets.
///
/// Stores the fitted transform as the `transform.json` artifact
/// (``FeatureTransform``, format `sluice.transform/2`), which the archive
/// carries and `sluice predict` applies the same way.
struct FeaturesStage: Stage {
    static let name = "features"
    static let version = "2.0.0"
    static let kind = StageKind.features
    static let summary = "imputes, log-transforms, standardizes; one-hot with an other bucket or hashing (fit on training rows)"

    func list(_ context: StageContext, _ key: String) -> Set<String> {
        Set((context.param(key) ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty })
    }

    func run(_ context: StageContext) throws {
        let maxCategories = try context.param("max_categories", default: 50)
        guard maxCategories >= 2 else { throw StageError("max_categories is \(maxCategories); it must be at least 2") }
        let buckets = try context.param("hash_buckets", default: 32)
        guard buckets >= 1 else { throw StageError("hash_buckets is \(buckets); it must be at least 1") }
        let logColumns = list(context, "log")
        let hashColumns = list(context, "hash_columns")
        let target = context.target
        let roles = context.rowRoles
        let trainingRows = roles.indices.filter { roles[$0] == .train }
        let columns = context.columns.filter { $0.name != target }
        for name in logColumns.union(hashColumns) where !columns.contains(where: { $0.name == name }) {
            throw StageError("a features parameter names column '\(name)', which is not in the drop "
                             + "(columns: \(columns.map(\.name).joined(separator: ", ")))")
        }
        var numeric: [FeatureTransform.Numeric] = []
        var oneHot: [FeatureTransform.OneHot] = []
        var hashed: [FeatureTransform.Hashed] = []

        // Numeric columns first, all at once: their statistics and transformed
        // values are pure functions of the column (computed on all cores);
        // the host gets them back in column order.
        var plans: [Int: NumericPlan] = [:]
        for (position, column) in columns.enumerated() where column.type == .numeric {
            if hashColumns.contains(column.name) {
                throw StageError("hash_columns names '\(column.name)', which is numeric; only text columns are hashed")
            }
            let strategy = context.param("impute.\(column.name)") ?? context.param("impute") ?? "mean"
            guard ["mean", "median", "most_frequent", "constant"].contains(strategy) else {
                throw StageError("impute for column '\(column.name)' is '\(strategy)'; expected mean, median, most_frequent or constant")
            }
            let constant = strategy == "constant"
                ? try context.param("fill_value.\(column.name)", default: try context.param("fill_value", default: 0.0)) : 0
            plans[position] = NumericPlan(name: column.name, values: UncheckedSendable(context.numeric(column)),
                                          strategy: strategy, constant: constant, log: logColumns.contains(column.name))
        }
        let numericPositions = plans.keys.sorted()
        let planList = numericPositions.map { plans[$0]! }
        let fits = concurrentMap(planList.count) { planList[$0].fit(trainingRows: trainingRows) }
        let fitted = Dictionary(uniqueKeysWithValues: zip(numericPositions, fits))
        // Every new column is written into this one buffer and copied by the host:
        // fresh memory is slow to fault in on the VMs this runs on, and a buffer
        // per column (33 × 4 MB for the benchmark) cost more than the transforms.
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(context.rowCount, 1))
        defer { scratch.deallocate() }
        let out = UncheckedSendable(scratch)
        let rowCount = context.rowCount
        let written = UnsafeBufferPointer(rebasing: scratch[0..<rowCount])
        let parts = 8
        // The 0/1 columns of a categorical column, written by the transform's own code.
        func putIndicators(_ names: [String], codes: UnsafeBufferPointer<Int32>, featureOfCode: [Int32]) throws {
            for (feature, name) in names.enumerated() {
                if rowCount > 0 {
                    FeatureTransform.indicator(codes: codes, featureOfCode: featureOfCode, feature: Int32(feature),
                                               into: scratch.baseAddress!)
                }
                try context.putNumeric(name, written)
            }
        }

        for (position, column) in columns.enumerated() {
            context.progress(Double(position) / Double(max(columns.count, 1)), "encoding \(column.name)")
            switch column.type {
            case .numeric:
                let encoding = fitted[position]!
                let values = plans[position]!.values
                _ = concurrentMap(parts) { part in
                    let rows = (rowCount * part / parts)..<(rowCount * (part + 1) / parts)
                    encoding.apply(UnsafeBufferPointer(rebasing: values.value[rows]),
                                   into: out.value.baseAddress! + rows.lowerBound)
                }
                try context.putNumeric(column.name, written)
                numeric.append(encoding)
            case .categorical:
                let codes = context.codes(column)
                let dictionary = context.dictionary(column)
                if hashColumns.contains(column.name) {
                    let encoding = FeatureTransform.Hashed(column: column.name, buckets: buckets)
                    try putIndicators(encoding.features, codes: codes, featureOfCode: encoding.featureOfCode(dictionary: dictionary))
                    try context.dropColumn(column.name)
                    hashed.append(encoding)
                    continue
                }
                var counts = [Int](repeating: 0, count: dictionary.count)
                for row in trainingRows where codes[row] >= 0 { counts[Int(codes[row])] += 1 }
                var seen = counts.indices.filter { counts[$0] > 0 }
                let other = seen.count > maxCategories
                if other {
                    seen.sort { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && dictionary[$0] < dictionary[$1]) }
                    seen = Array(seen.prefix(maxCategories - 1))
                }
                let categories = seen.map { dictionary[$0] }.sorted()
                let encoding = FeatureTransform.OneHot(column: column.name, categories: categories, other: other)
                try putIndicators(encoding.features, codes: codes, featureOfCode: encoding.featureOfCode(dictionary: dictionary))
                if other {
                    context.log(.info, "column '\(column.name)': \(counts.filter { $0 > 0 }.count) categories, "
                                + "kept \(categories.count) and an (other) bucket (max_categories \(maxCategories))")
                }
                try context.dropColumn(column.name)
                oneHot.append(encoding)
            }
        }
        let transform = FeatureTransform(target: target, numeric: numeric, oneHot: oneHot, hashed: hashed)
        try context.putArtifact("transform.json", try transform.encoded())
        try context.putMetric("features", Double(transform.features.count))
        context.log(.info, "\(numeric.count) numeric columns standardized (\(logColumns.count) log-transformed), "
                    + "\(oneHot.count) categorical columns one-hot encoded, \(hashed.count) hashed: "
                    + "\(transform.features.count) features")
    }
}

/// One numeric column's fit: the fill value by its strategy, then mean and
/// standard deviation of the training rows after fill and log. Reads the
/// column only, so columns fit in parallel.
struct NumericPlan: Sendable {
    let name: String
    let values: UncheckedSendable<UnsafeBufferPointer<Float>>
    let strategy: String
    let constant: Double
    let log: Bool

    func fit(trainingRows: [Int]) -> FeatureTransform.Numeric {
        let values = self.values.value
        // Σ over the present training values, raw and (with log) transformed:
        // four independent sums, so the adds do not wait on each other's latency.
        let present = presentSums(trainingRows, values)
        let fill: Double
        switch strategy {
        case "mean":
            fill = present.count == 0 ? 0 : present.sum / Double(present.count)
        case "median":
            var kept: [Double] = []
            kept.reserveCapacity(present.count)
            for row in trainingRows where !values[row].isNaN { kept.append(Double(values[row])) }
            kept.sort()
            fill = kept.isEmpty ? 0 : kept.count % 2 == 1 ? kept[kept.count / 2]
                : (kept[kept.count / 2 - 1] + kept[kept.count / 2]) / 2
        case "most_frequent":
            var counts: [Float: Int] = [:]
            for row in trainingRows where !values[row].isNaN { counts[values[row], default: 0] += 1 }
            fill = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }.map { Double($0.key) } ?? 0
        default:
            fill = constant
        }
        // Mean and sd of the training rows after fill and log (two passes, for
        // accuracy); every missing row holds the same value, so it is counted, not visited.
        let count = trainingRows.count
        let missing = count - present.count
        let filled = log ? FeatureTransform.signedLog1p(fill) : fill
        let mean = count > 0 ? (present.transformedSum + filled * Double(missing)) / Double(count) : 0
        let squares = presentSquares(trainingRows, values, around: mean) + Double(missing) * (filled - mean) * (filled - mean)
        let sd = count > 1 ? (squares / Double(count)).squareRoot() : 0
        return FeatureTransform.Numeric(column: name, impute: strategy, fill: fill, log: log,
                                        mean: mean, scale: sd > 1e-12 ? sd : 1)
    }

    /// Count, Σx and Σt(x) over the present values of `rows` (t = signedLog1p with log, else x).
    func presentSums(_ rows: [Int], _ values: UnsafeBufferPointer<Float>) -> (count: Int, sum: Double, transformedSum: Double) {
        var count = 0
        var sums = SIMD4<Double>(), transformed = SIMD4<Double>()
        rows.withUnsafeBufferPointer { rows in
            var index = 0
            while index + 4 <= rows.count {
                let x = Self.four(values, rows, index)
                let isPresent = x .== x
                count += (isPresent[0] ? 1 : 0) + (isPresent[1] ? 1 : 0) + (isPresent[2] ? 1 : 0) + (isPresent[3] ? 1 : 0)
                let kept = SIMD4<Double>().replacing(with: x, where: isPresent)
                sums += kept
                if log {
                    for lane in 0..<4 where isPresent[lane] { transformed[lane] += FeatureTransform.signedLog1p(kept[lane]) }
                }
                index += 4
            }
            while index < rows.count {
                let x = Double(values[rows[index]])
                if !x.isNaN {
                    count += 1
                    sums[0] += x
                    if log { transformed[0] += FeatureTransform.signedLog1p(x) }
                }
                index += 1
            }
        }
        let sum = (sums[0] + sums[1]) + (sums[2] + sums[3])
        return (count, sum, log ? (transformed[0] + transformed[1]) + (transformed[2] + transformed[3]) : sum)
    }

    /// The values of rows[index ..< index + 4], widened to Double.
    @inline(__always)
    static func four(_ values: UnsafeBufferPointer<Float>, _ rows: UnsafeBufferPointer<Int>, _ index: Int) -> SIMD4<Double> {
        SIMD4(Double(values[rows[index]]), Double(values[rows[index + 1]]),
              Double(values[rows[index + 2]]), Double(values[rows[index + 3]]))
    }

    /// Σ(t(x) − mean)² over the present values of `rows`.
    func presentSquares(_ rows: [Int], _ values: UnsafeBufferPointer<Float>, around mean: Double) -> Double {
        var squares = SIMD4<Double>()
        let center = SIMD4<Double>(repeating: mean)
        rows.withUnsafeBufferPointer { rows in
            var index = 0
            while index + 4 <= rows.count {
                var x = Self.four(values, rows, index)
                let isPresent = x .== x
                if log { for lane in 0..<4 where isPresent[lane] { x[lane] = FeatureTransform.signedLog1p(x[lane]) } }
                let deviation = SIMD4<Double>().replacing(with: x - center, where: isPresent)
                squares += deviation * deviation
                index += 4
            }
            while index < rows.count {
                var x = Double(values[rows[index]])
                if !x.isNaN {
                    if log { x = FeatureTransform.signedLog1p(x) }
                    squares[0] += (x - mean) * (x - mean)
                }
                index += 1
            }
        }
        return (squares[0] + squares[1]) + (squares[2] + squares[3])
    }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: FeaturesStage.self) }
