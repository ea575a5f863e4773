import Foundation
import SluicePluginSDK

/// Winsorizes numeric columns: each value below the column's `lower`
/// quantile (or above its `upper` one) becomes that quantile. The quantiles
/// are fitted on the training rows only, stored as `clip-outliers.json`, and
/// re-applied by `apply` wherever the model scores new rows, so a model in
/// service sees new rows clipped to the limits it was trained with.
///
/// Params: `lower` (default 0.01), `upper` (default 0.99), `columns` (comma-
/// separated; default every numeric column but the target).
struct ClipOutliersStage: AppliedStage {
    static let name = "clip-outliers"
    static let version = "1.0.0"
    static let kind = StageKind.features
    static let summary = "clips numeric columns to quantiles fitted on the training rows (re-applied when scoring)"
    static let artifact = "clip-outliers.json"

    init() {}

    func run(_ context: StageContext) throws {
        let lower = try context.param("lower", default: 0.01)
        let upper = try context.param("upper", default: 0.99)
        guard lower >= 0, upper <= 1, lower < upper else {
            throw StageError("params lower and upper must satisfy 0 ≤ lower < upper ≤ 1, got lower \(lower), upper \(upper)")
        }
        let columns = try chosenColumns(context)
        let training = context.rowRoles.enumerated().filter { $0.element == .train }.map(\.offset)
        var limits = ClipLimits(lowerQuantile: lower, upperQuantile: upper, columns: [:])
        var clippedTotal = 0
        for (index, column) in columns.enumerated() {
            context.progress(Double(index) / Double(max(columns.count, 1)), column.name)
            let values = context.numeric(column)
            var fitted = training.compactMap { row -> Float? in values[row].isNaN ? nil : values[row] }
            guard !fitted.isEmpty else {
                context.log(.warning, "column '\(column.name)' has no value on a training row; left as is")
                continue
            }
            fitted.sort()
            let bounds = ClipLimits.Bounds(low: Self.quantile(fitted, lower), high: Self.quantile(fitted, upper))
            limits.columns[column.name] = bounds
            let (clipped, count) = bounds.clip(values)
            try context.putNumeric(column.name, clipped)
            try context.putMetric("clipped.\(column.name)", Double(count))
            clippedTotal += count
        }
        try context.putMetric("clipped_values", Double(clippedTotal))
        try context.putArtifact(Self.artifact, Array(try limits.encoded()))
        context.log(.info, "clipped \(clippedTotal) values in \(limits.columns.count) columns to their "
            + "\(lower)–\(upper) quantiles on \(training.count) training rows")
    }

    /// New rows, clipped to the limits `run` fitted. A column the model was
    /// fitted with but the rows lack is left to the stages after (the feature
    /// transform says which column is missing).
    func apply(_ context: StageContext) throws {
        guard let bytes = context.artifact(Self.artifact) else {
            throw StageError("the model archive has no \(Self.artifact), which run stores")
        }
        let limits = try ClipLimits.decode(Data(bytes))
        for (name, bounds) in limits.columns.sorted(by: { $0.key < $1.key }) {
            guard let column = context.column(named: name), column.type == .numeric else { continue }
            try context.putNumeric(name, bounds.clip(context.numeric(column)).values)
        }
    }

    func chosenColumns(_ context: StageContext) throws -> [Column] {
        let numeric = context.columns.filter { $0.type == .numeric && $0.name != context.target }
        guard let list = context.param("columns") else { return numeric }
        return try list.split(separator: ",").map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let column = numeric.first(where: { $0.name == name }) else {
                throw StageError("param columns: no numeric column '\(name)' (numeric columns: "
                    + numeric.map(\.name).joined(separator: ", ") + ")")
            }
            return column
        }
    }

    /// The `q` quantile of sorted values, by linear interpolation between the
    /// two nearest ranks (numpy's default), in Double, rounded to Float.
    static func quantile(_ sorted: [Float], _ q: Double) -> Float {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return Float(Double(sorted[below]) + (Double(sorted[above]) - Double(sorted[below])) * fraction)
    }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func clipOutliersDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: ClipOutliersStage.self) }
