import SluiceData
import SluiceSystem

/// A column's name, type and a hash of its values: what `plugins check`
/// compares to say which columns a stage added, replaced or removed.
struct ColumnFingerprint: Equatable {
    let name: String
    let type: String
    let sha256: String

    var column: PluginCheckReport.Column { .init(name: name, type: type) }

    static func of(_ table: Table) -> [ColumnFingerprint] {
        table.columns.map { column in
            var bytes: [UInt8] = []
            switch column.values {
            case .numeric(let storage):
                bytes = Array(UnsafeRawBufferPointer(storage.values))
            case .categorical(let storage):
                // By value, so a re-encoded dictionary with the same values is the same column.
                for row in 0..<table.rowCount {
                    bytes += Array((storage.value(at: row) ?? "\u{0}missing").utf8) + [0xff]
                }
            }
            return ColumnFingerprint(name: column.name, type: column.values.typeName, sha256: ContentHash.sha256(bytes))
        }
    }
}
