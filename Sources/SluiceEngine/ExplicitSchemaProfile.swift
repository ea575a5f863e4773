import Foundation
import SluiceConfig

/// A pipeline's `schema:` from the config, written in the profile format the
/// validate stage reads as `reference/schema.json` (docs/ingest.md). Columns
/// carry `explicit: true`: their limits are exact (no range tolerance, the
/// configured null fraction as the limit).
public enum ExplicitSchemaProfile {
    struct Profile: Encodable {
        var version = 1
        var rows = 0
        var duplicateRows = 0
        var columns: [Column]
    }

    struct Column: Encodable {
        var name: String
        var type: String
        var nullRate: Double
        var min: Double?
        var max: Double?
        var distinct = 0
        var categories: [String: Double]?
        var categoriesComplete: Bool?
        var explicit = true
        var maxNullFraction: Double?
    }

    public static func json(_ schema: PipelineConfiguration.ExplicitSchema) throws -> String {
        let columns = schema.columns.map { column in
            Column(name: column.name, type: column.type, nullRate: column.maxNullFraction ?? 0, min: column.min,
                   max: column.max,
                   categories: column.categories.map { Dictionary($0.map { ($0, 0.0) }, uniquingKeysWith: { a, _ in a }) },
                   categoriesComplete: column.categories == nil ? nil : true, maxNullFraction: column.maxNullFraction)
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Profile(columns: columns)), as: UTF8.self)
    }
}
