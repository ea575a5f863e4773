#if canImport(Glibc)
import Glibc
#endif

/// A Swift view of the host's services for one stage run. Valid only during
/// ``Stage/run(_:)``; buffers it returns are valid until the column they came
/// from is replaced or dropped.
public struct StageContext {
    let api: UnsafePointer<sluice_host_api>
    let context: OpaquePointer

    init(api: UnsafePointer<sluice_host_api>, context: OpaquePointer) {
        self.api = api
        self.context = context
    }

    var host: sluice_host_api { api.pointee }

    // MARK: Table

    /// Rows in the drop's table.
    public var rowCount: Int { Int(host.row_count(context)) }

    /// Columns, in table order.
    public var columns: [Column] {
        (0..<host.column_count(context)).map { index in
            Column(index: index,
                   name: host.column_name(context, index).map { String(cString: $0) } ?? "",
                   type: host.column_type(context, index) == Int32(SLUICE_COLUMN_NUMERIC.rawValue)
                       ? .numeric : .categorical)
        }
    }

    /// The column with this name, if any.
    public func column(named name: String) -> Column? {
        let index = host.column_index(context, name)
        guard index >= 0 else { return nil }
        // One column, not the whole list: stages look columns up by name in loops over thousands of them.
        return Column(index: index, name: name,
                      type: host.column_type(context, index) == Int32(SLUICE_COLUMN_NUMERIC.rawValue) ? .numeric : .categorical)
    }

    /// The column's current index. Columns are looked up by name on every
    /// access, so a ``Column`` stays valid after other columns are dropped.
    func currentIndex(_ column: Column) -> Int32 {
        host.column_index(context, column.name)
    }

    /// Values of a numeric column (NaN = missing); empty if it no longer exists.
    public func numeric(_ column: Column) -> UnsafeBufferPointer<Float> {
        guard let start = host.column_numeric(context, currentIndex(column)) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start, count: rowCount)
    }

    /// Codes of a categorical column (-1 = missing); empty if it no longer exists.
    public func codes(_ column: Column) -> UnsafeBufferPointer<Int32> {
        guard let start = host.column_codes(context, currentIndex(column)) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start, count: rowCount)
    }

    /// The string dictionary of a categorical column, indexed by code.
    public func dictionary(_ column: Column) -> [String] {
        let index = currentIndex(column)
        return (0..<host.dictionary_size(context, index)).map {
            host.dictionary_value(context, index, $0).map { String(cString: $0) } ?? ""
        }
    }

    /// Replaces (or appends) a numeric column.
    public func putNumeric(_ name: String, _ values: [Float]) throws {
        try values.withUnsafeBufferPointer { try putNumeric(name, $0) }
    }

    /// Replaces (or appends) a numeric column from memory the plugin keeps: the
    /// host copies the values, so one buffer can serve column after column.
    public func putNumeric(_ name: String, _ values: UnsafeBufferPointer<Float>) throws {
        precondition(values.count == rowCount, "column \(name) has \(values.count) values for \(rowCount) rows")
        let status = host.put_numeric_column(context, name, values.baseAddress, Int64(values.count))
        if status != SLUICE_OK { throw StageError("host refused column '\(name)'") }
    }

    /// Replaces (or appends) a categorical column.
    public func putCategorical(_ name: String, codes: [Int32], dictionary: [String]) throws {
        var cStrings = dictionary.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let status = codes.withUnsafeBufferPointer { codePointer in
            cStrings.withUnsafeMutableBufferPointer { dictPointer in
                dictPointer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: dictPointer.count) {
                    host.put_categorical_column(context, name, codePointer.baseAddress, Int64(codePointer.count),
                                                $0, Int32(dictionary.count))
                }
            }
        }
        if status != SLUICE_OK { throw StageError("host refused column '\(name)'") }
    }

    /// Drops a column.
    public func dropColumn(_ name: String) throws {
        if host.drop_column(context, name) != SLUICE_OK { throw StageError("no column '\(name)' to drop") }
    }

    /// Each row's role (train or holdout), fixed by the host.
    public var rowRoles: [RowRole] {
        UnsafeBufferPointer(start: host.row_roles(context), count: rowCount).map { $0 == 1 ? .holdout : .train }
    }

    /// Keeps the rows marked true and removes the others from the table, with
    /// their roles and lines (see `keep_rows` in sluice_plugin.h). Buffers read
    /// before are invalid afterwards.
    /// - Throws: ``StageError`` when the host is older than this call, when no
    ///   row would be left, or inside `apply`.
    public func keepRows(_ keep: [Bool]) throws {
        precondition(keep.count == rowCount, "keepRows needs one flag per row")
        let hasIt = Int(api.pointee.struct_size) >= MemoryLayout<sluice_host_api>.offset(of: \.keep_rows)! + MemoryLayout<UnsafeRawPointer>.size
        guard hasIt, let keepRows = host.keep_rows else { throw StageError("this sluice host cannot remove rows (keep_rows needs sluice 0.2)") }
        let flags = keep.map { UInt8($0 ? 1 : 0) }
        if keepRows(context, flags, Int64(flags.count)) != SLUICE_OK {
            throw StageError("the host refused to remove rows (none would be left, or this is apply)")
        }
    }

    /// 1-based line in the drop file where `row` starts (0 if unknown).
    public func line(ofRow row: Int) -> Int { Int(host.row_line(context, Int64(row))) }

    // MARK: Configuration

    /// A stage parameter as text.
    public func param(_ key: String) -> String? {
        host.param(context, key).map { String(cString: $0) }
    }

    /// A numeric parameter, `defaultValue` if absent.
    /// - Throws: ``StageError`` when the parameter is present but not a number.
    public func param(_ key: String, default defaultValue: Double) throws -> Double {
        guard let text = param(key) else { return defaultValue }
        guard let value = Double(text) else {
            throw StageError("parameter \(key): expected a number, got '\(text)'")
        }
        return value
    }

    /// An integer parameter, `defaultValue` if absent.
    public func param(_ key: String, default defaultValue: Int) throws -> Int {
        guard let text = param(key) else { return defaultValue }
        guard let value = Int(text) else {
            throw StageError("parameter \(key): expected an integer, got '\(text)'")
        }
        return value
    }

    /// All parameters, by key.
    public var params: [String: String] {
        var out: [String: String] = [:]
        for index in 0..<host.param_count(context) {
            guard let pointer = host.param_key(context, index) else { continue }
            let key = String(cString: pointer)
            out[key] = param(key)
        }
        return out
    }

    /// A pipeline setting: `pipeline`, `task`, `target`, `seed`, `drop_name`,
    /// `drop_sha256`, `run_id`, `holdout_fraction`.
    public func setting(_ key: String) -> String? {
        host.setting(context, key).map { String(cString: $0) }
    }

    /// The pipeline's target column name.
    public var target: String { setting("target") ?? "" }

    // MARK: Results

    /// Records a metric.
    public func putMetric(_ name: String, _ value: Double) throws {
        if host.put_metric(context, name, value) != SLUICE_OK { throw StageError("host refused metric '\(name)'") }
    }

    /// Stores an artifact for later stages and the model archive.
    public func putArtifact(_ name: String, _ bytes: [UInt8]) throws {
        let status = bytes.withUnsafeBytes { host.put_artifact(context, name, $0.baseAddress, Int64($0.count)) }
        if status != SLUICE_OK { throw StageError("host refused artifact '\(name)'") }
    }

    /// An artifact stored earlier in this run, or nil.
    public func artifact(_ name: String) -> [UInt8]? {
        var size: Int64 = 0
        guard let pointer = host.get_artifact(context, name, &size) else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: Int(size)))
    }

    /// Writes a log line.
    public func log(_ level: LogLevel, _ message: String) {
        host.log(context, level.rawValue, message)
    }

    /// Reports progress, `fraction` in 0...1.
    public func progress(_ fraction: Double, _ text: String) {
        host.progress(context, fraction, text)
    }

    /// Approves the candidate model.
    public func approve(_ reason: String) {
        host.set_verdict(context, Int32(SLUICE_VERDICT_APPROVE.rawValue), reason)
    }

    /// Rejects the candidate model (or the drop, from a validate stage).
    public func reject(_ reason: String) {
        host.set_verdict(context, Int32(SLUICE_VERDICT_REJECT.rawValue), reason)
    }

    /// Fails the stage; prefer throwing from ``Stage/run(_:)``.
    public func fail(_ message: String) {
        host.fail(context, message)
    }
}

/// A column of the drop's table, identified by name (``index`` is its
/// position when it was listed and may change as columns are dropped).
public struct Column: Sendable, Equatable {
    public enum Kind: Sendable { case numeric, categorical }
    public let index: Int32
    public let name: String
    public let type: Kind
}

/// Whether a row is for fitting or for evaluation.
public enum RowRole: Sendable { case train, holdout }

/// Log levels (syslog numbering).
public enum LogLevel: Int32, Sendable {
    case error = 3, warning = 4, info = 6, debug = 7
}
