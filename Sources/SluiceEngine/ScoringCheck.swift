import SluiceData
import SluiceFormats

/// A scoring drop against the schema the model was trained on (the archive's
/// `schema.json`): errors (a column the model needs is missing or changed
/// type, no id column) quarantine the drop; warnings (unseen categories,
/// which score as the `(other)` or no category) are recorded.
enum ScoringCheck {
    struct Findings {
        var errors: [String] = []
        var warnings: [String] = []
    }

    static func check(_ table: Table, schema: DataSchema, transform: FeatureTransform?, features: [String],
                      idColumn: String) -> Findings {
        var findings = Findings()
        if table[idColumn] == nil {
            findings.errors.append("missing id column '\(idColumn)' (scoring.id_column): predictions could not be joined to labels")
        }
        let needed = transform.map { Set($0.numeric.map(\.column) + $0.oneHot.map(\.column) + $0.hashed.map(\.column)) }
            ?? Set(features)
        for column in schema.columns where column.name != schema.target {
            guard let actual = table[column.name] else {
                if needed.contains(column.name) {
                    findings.errors.append("missing column '\(column.name)' (\(column.type)): the model uses it")
                }
                continue
            }
            let type = actual.values.typeName
            if type != column.type {
                if column.type == "numeric" {
                    findings.errors.append("column '\(column.name)' is \(type), the model was trained on it as numeric")
                } else {
                    findings.warnings.append("column '\(column.name)' is \(type) here, categorical in training: its values are read as text")
                }
                continue
            }
            if case .categorical(let storage) = actual.values, let known = column.categories {
                let knownSet = Set(known)
                var unseen: [String: Int] = [:]
                for row in 0..<table.rowCount {
                    if let value = storage.value(at: row), !knownSet.contains(value) { unseen[value, default: 0] += 1 }
                }
                if !unseen.isEmpty {
                    let rows = unseen.values.reduce(0, +)
                    let examples = unseen.keys.sorted().prefix(3).map { "'\(MessageText.escaped($0))'" }.joined(separator: ", ")
                    findings.warnings.append("column '\(column.name)': \(rows) rows have categories not seen in training (\(examples))")
                }
            }
        }
        return findings
    }
}
