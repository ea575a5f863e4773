import Foundation
import SluiceConfig
import SluiceFormats

/// A pipeline's `schema:` from the config, written in the profile format the
/// validate stage reads as `reference/schema.json` (docs/ingest.md). Columns
/// carry `explicit: true`: their limits are exact (no range tolerance, the
/// configured null fraction as the limit).
public enum ExplicitSchemaProfile {
    public static func json(_ schema: PipelineConfiguration.ExplicitSchema) throws -> String {
        let columns = schema.columns.map { column in
            ColumnProfile(name: column.name, type: column.type, nullRate: column.maxNullFraction ?? 0, min: column.min,
                          max: column.max, distinct: 0, edges: nil, binFractions: nil,
                          categories: column.categories.map { Dictionary($0.map { ($0, 0.0) }, uniquingKeysWith: { a, _ in a }) },
                          categoriesComplete: column.categories == nil ? nil : true, explicit: true,
                          maxNullFraction: column.maxNullFraction)
        }
        return String(decoding: try Profile(rows: 0, duplicateRows: 0, columns: columns).encoded(), as: UTF8.self)
    }
}
