extension Table {
    /// A table of only `rows` (indexes into this one, in the order given),
    /// with copies of their values and row lines. Categorical columns keep
    /// their dictionaries, codes and all.
    public func rows(_ rows: [Int]) -> Table {
        let columns = columns.map { column -> TableColumn in
            switch column.values {
            case .numeric(let storage):
                let kept = NumericStorage(uninitializedCount: rows.count)
                for (index, row) in rows.enumerated() { kept.values[index] = storage.values[row] }
                return TableColumn(name: column.name, values: .numeric(kept))
            case .categorical(let storage):
                let codes = rows.map { storage.codes[$0] }
                return TableColumn(name: column.name, values: .categorical(CategoricalStorage(codes: codes, dictionary: storage.dictionary)))
            }
        }
        let lines = rowLines.count == rowCount ? rows.map { rowLines[$0] } : []
        return Table(rowCount: rows.count, columns: columns, rowLines: lines)
    }
}
