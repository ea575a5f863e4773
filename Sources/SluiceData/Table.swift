import CSluiceLinux
#if canImport(Glibc)
import Glibc
#endif
/// The columnar in-memory table a drop becomes: Float32 numeric columns
/// (NaN = missing) and dictionary-encoded categorical columns (code -1 =
/// missing). Column storage is manually allocated so its address is stable
/// and can be handed to plugins through the C ABI.
public struct Table: Sendable {
    /// Number of rows.
    public let rowCount: Int
    /// Columns in file order (plugins may replace, append and drop).
    public var columns: [TableColumn]
    /// 1-based line where each row starts in the source file (rows can span
    /// lines when quoted fields hold newlines).
    public let rowLines: [Int64]

    public init(rowCount: Int, columns: [TableColumn], rowLines: [Int64]) {
        self.rowCount = rowCount
        self.columns = columns
        self.rowLines = rowLines
    }

    /// Index of the column named `name`, if present.
    public func index(of name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// The column named `name`, if present.
    public subscript(name: String) -> TableColumn? {
        index(of: name).map { columns[$0] }
    }
}

/// One named column.
public struct TableColumn: Sendable {
    public var name: String
    public var values: ColumnValues

    public init(name: String, values: ColumnValues) {
        self.name = name
        self.values = values
    }
}

/// A column's storage.
public enum ColumnValues: Sendable {
    case numeric(NumericStorage)
    case categorical(CategoricalStorage)

    /// "numeric" or "categorical".
    public var typeName: String {
        switch self {
        case .numeric: "numeric"
        case .categorical: "categorical"
        }
    }

    /// Number of missing values.
    public var missingCount: Int {
        switch self {
        case .numeric(let storage): Self.nanCount(UnsafeBufferPointer(storage.values))
        case .categorical(let storage): storage.codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        }
    }
}

extension ColumnValues {
    /// NaNs in `values`, eight lanes at a time (the scalar loop with a branch
    /// did not vectorize); lane counts are added up every 2^20 values.
    static func nanCount(_ values: UnsafeBufferPointer<Float>) -> Int {
        guard let base = values.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var count = 0
        var index = 0
        while index + 8 <= values.count {
            let stop = min(values.count & ~7, index + (1 << 20))
            var lanes = SIMD8<Int32>()
            while index < stop {
                let v = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                lanes = lanes.replacing(with: lanes &+ 1, where: v .!= v)
                index += 8
            }
            count += Int(lanes.wrappedSum())
        }
        while index < values.count {
            if values[index].isNaN { count += 1 }
            index += 1
        }
        return count
    }
}

/// Memory for a column: huge pages for large ones (``LargeArray``).
enum LargeArray {
    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutableBufferPointer<T> {
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        guard let memory = sluice_alloc_large(bytes) else { fatalError("out of memory for \(bytes) bytes") }
        return UnsafeMutableBufferPointer(start: memory.bindMemory(to: T.self, capacity: max(count, 1)), count: count)
    }
}

/// Float32 values at a stable address. Immutable once built.
public final class NumericStorage: @unchecked Sendable {
    /// The values; NaN means missing. Do not write after the storage is shared.
    public let values: UnsafeMutableBufferPointer<Float>

    /// Storage for `count` values, all NaN.
    public init(count: Int) {
        values = LargeArray.allocate(Float.self, count: count)
        values.initialize(repeating: .nan)
        owner = nil
    }

    /// Storage for `count` values the caller initializes before sharing it.
    public init(uninitializedCount count: Int) {
        values = LargeArray.allocate(Float.self, count: count)
        owner = nil
    }

    /// Takes ownership of `values`, allocated with `sluice_alloc_large` or `malloc`.
    init(adoptingLarge values: UnsafeMutableBufferPointer<Float>) {
        self.values = values
        owner = nil
    }

    /// Values that live in `owner` (a mapped file) and go with it.
    init(viewing values: UnsafeMutableBufferPointer<Float>, owner: MappedRegion) {
        self.values = values
        self.owner = owner
    }

    /// What holds the values when this storage did not allocate them.
    private let owner: MappedRegion?

    /// A copy of `source`.
    public init(copying source: UnsafeBufferPointer<Float>) {
        values = LargeArray.allocate(Float.self, count: source.count)
        _ = values.initialize(from: source)
        owner = nil
    }

    public convenience init(_ array: [Float]) {
        self.init(count: array.count)
        for (index, value) in array.enumerated() { values[index] = value }
    }

    deinit { if owner == nil { free(values.baseAddress) } }
}

/// Int32 codes into a string dictionary, at a stable address. Immutable once built.
public final class CategoricalStorage: @unchecked Sendable {
    /// Codes; -1 means missing.
    public let codes: UnsafeMutableBufferPointer<Int32>
    /// Distinct values in order of first appearance.
    public let dictionary: [String]
    public init(codes source: UnsafeBufferPointer<Int32>, dictionary: [String]) {
        codes = LargeArray.allocate(Int32.self, count: source.count)
        _ = codes.initialize(from: source)
        self.dictionary = dictionary
        owner = nil
    }

    /// Takes ownership of `codes`, allocated with `sluice_alloc_large` or `malloc`.
    init(adoptingLarge codes: UnsafeMutableBufferPointer<Int32>, dictionary: [String]) {
        self.codes = codes
        self.dictionary = dictionary
        owner = nil
    }

    /// Codes that live in `owner` (a mapped file) and go with it.
    init(viewing codes: UnsafeMutableBufferPointer<Int32>, dictionary: [String], owner: MappedRegion) {
        self.codes = codes
        self.dictionary = dictionary
        self.owner = owner
    }

    /// What holds the codes when this storage did not allocate them.
    private let owner: MappedRegion?

    public convenience init(codes: [Int32], dictionary: [String]) {
        // Copied into storage of its own: a pointer from withUnsafeBufferPointer
        // must not outlive the closure.
        let storage = LargeArray.allocate(Int32.self, count: codes.count)
        _ = storage.initialize(from: codes)
        self.init(adoptingLarge: storage, dictionary: dictionary)
    }

    /// The string at `row`, or nil when missing.
    public func value(at row: Int) -> String? {
        let code = codes[row]
        return code < 0 ? nil : dictionary[Int(code)]
    }

    deinit { if owner == nil { free(codes.baseAddress) } }
}

extension Table {
    /// Why `other` cannot be stacked under this table, or nil when it can:
    /// the same column names (any order) with the same types.
    public func incompatibility(with other: Table) -> String? {
        let mine = Set(columns.map(\.name)), theirs = Set(other.columns.map(\.name))
        if mine != theirs {
            let missing = mine.subtracting(theirs).sorted(), extra = theirs.subtracting(mine).sorted()
            return "columns differ (missing: \(missing.joined(separator: ", ")); extra: \(extra.joined(separator: ", ")))"
        }
        for column in columns where other[column.name]?.values.typeName != column.values.typeName {
            return "column '\(column.name)' is \(other[column.name]?.values.typeName ?? "absent") there, \(column.values.typeName) here"
        }
        return nil
    }

    /// The rows of `tables` one after another, in the first table's column
    /// order (columns are matched by name; check ``incompatibility(with:)``
    /// first). Categorical dictionaries are merged in order of first appearance.
    /// Row lines stay those of each source file.
    public static func stacked(_ tables: [Table]) -> Table {
        guard let first = tables.first else { return Table(rowCount: 0, columns: [], rowLines: []) }
        if tables.count == 1 { return first }
        let rowCount = tables.reduce(0) { $0 + $1.rowCount }
        var columns: [TableColumn] = []
        for column in first.columns {
            switch column.values {
            case .numeric:
                let storage = NumericStorage(uninitializedCount: rowCount)
                var offset = 0
                for table in tables {
                    guard case .numeric(let part)? = table[column.name]?.values else { continue }
                    (storage.values.baseAddress! + offset).initialize(from: part.values.baseAddress!, count: table.rowCount)
                    offset += table.rowCount
                }
                columns.append(TableColumn(name: column.name, values: .numeric(storage)))
            case .categorical:
                var dictionary: [String] = []
                var lookup: [String: Int32] = [:]
                var codes: [Int32] = []
                codes.reserveCapacity(rowCount)
                for table in tables {
                    guard case .categorical(let part)? = table[column.name]?.values else { continue }
                    let map = part.dictionary.map { text -> Int32 in
                        if let code = lookup[text] { return code }
                        let code = Int32(dictionary.count)
                        dictionary.append(text)
                        lookup[text] = code
                        return code
                    }
                    for code in part.codes { codes.append(code < 0 ? -1 : map[Int(code)]) }
                }
                columns.append(TableColumn(name: column.name, values: .categorical(CategoricalStorage(codes: codes, dictionary: dictionary))))
            }
        }
        return Table(rowCount: rowCount, columns: columns, rowLines: tables.flatMap(\.rowLines))
    }
}
