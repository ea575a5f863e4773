import Foundation
import SluiceML
import SluicePluginSDK

/// The stock `features` stage: turns every non-target column into numeric
/// model features, fitted on the training rows only.
///
/// - Numeric columns: missing values filled with the training mean, then
///   standardized `(x − mean) / sd` (sd of the training rows; 1 if zero).
/// - Categorical columns: one-hot, one 0/1 column `name=value` per category
///   seen in the training rows (sorted by name); missing or unseen → all 0.
///
/// Stores the fitted transform as the `transform.json` artifact
/// (``FeatureTransform``), which the archive carries for prediction.
/// Parameters: `max_categories` (default 50): a column with more categories
/// than this fails the stage instead of exploding the feature count.
struct FeaturesStage: Stage {
    static let name = "features"
    static let version = "1.0.0"
    static let kind = StageKind.features
    static let summary = "standardizes numeric columns, one-hot encodes categorical ones (fit on training rows)"

    func run(_ context: StageContext) throws {
        let maxCategories = try context.param("max_categories", default: 50)
        let target = context.target
        let roles = context.rowRoles
        let trainingRows = roles.indices.filter { roles[$0] == .train }
        let columns = context.columns.filter { $0.name != target }
        var numeric: [FeatureTransform.Numeric] = []
        var oneHot: [FeatureTransform.OneHot] = []

        for (position, column) in columns.enumerated() {
            context.progress(Double(position) / Double(max(columns.count, 1)), "encoding \(column.name)")
            switch column.type {
            case .numeric:
                let values = context.numeric(column)
                var sum = 0.0, count = 0
                for row in trainingRows where !values[row].isNaN { sum += Double(values[row]); count += 1 }
                let mean = count > 0 ? sum / Double(count) : 0
                var squares = 0.0
                for row in trainingRows where !values[row].isNaN {
                    let delta = Double(values[row]) - mean
                    squares += delta * delta
                }
                let sd = count > 1 ? (squares / Double(count)).squareRoot() : 0
                let encoding = FeatureTransform.Numeric(column: column.name, fill: mean, mean: mean,
                                                        scale: sd > 1e-12 ? sd : 1)
                let transformed = values.map { value -> Float in
                    Float(((value.isNaN ? encoding.fill : Double(value)) - encoding.mean) / encoding.scale)
                }
                try context.putNumeric(column.name, transformed)
                numeric.append(encoding)
            case .categorical:
                let codes = context.codes(column)
                let dictionary = context.dictionary(column)
                var seen = Set<Int32>()
                for row in trainingRows where codes[row] >= 0 { seen.insert(codes[row]) }
                let categories = seen.map { dictionary[Int($0)] }.sorted()
                if categories.count > maxCategories {
                    throw StageError("column '\(column.name)' has \(categories.count) categories in the training rows, "
                                     + "more than max_categories \(maxCategories); raise max_categories or drop the column")
                }
                let encoding = FeatureTransform.OneHot(column: column.name, categories: categories)
                var indexOfCode = [Int](repeating: -1, count: dictionary.count)
                for (index, category) in categories.enumerated() {
                    indexOfCode[dictionary.firstIndex(of: category)!] = index
                }
                for (index, category) in categories.enumerated() {
                    let values = codes.map { code -> Float in code >= 0 && indexOfCode[Int(code)] == index ? 1 : 0 }
                    try context.putNumeric(encoding.feature(category), values)
                }
                try context.dropColumn(column.name)
                oneHot.append(encoding)
            }
        }
        let transform = FeatureTransform(target: target, numeric: numeric, oneHot: oneHot)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try context.putArtifact("transform.json", Array(try encoder.encode(transform)))
        try context.putMetric("features", Double(transform.features.count))
        context.log(.info, "\(numeric.count) numeric columns standardized, \(oneHot.count) categorical columns "
                    + "one-hot encoded: \(transform.features.count) features")
    }
}

@_cdecl("sluice_plugin_descriptor_v1")
public func sluicePluginDescriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: FeaturesStage.self) }
