import CSluicePlugin
import SluiceData
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// The host side of one run: the table the stages transform, the row roles,
/// the artifacts carried from stage to stage, and the service table handed to
/// each plugin. A plugin sees only the opaque `sluice_context *`; this object
/// is behind it. Not thread-safe: stages of a run execute one at a time.
public final class StageHost {
    /// The table as the stages have left it so far.
    public private(set) var table: Table
    /// Row roles (0 train, 1 holdout), fixed for the run; rows a stage
    /// removes (`keep_rows`) leave with their role.
    public private(set) var roles: [UInt8]
    /// Pipeline settings readable through `setting()`.
    public let settings: [String: String]
    /// Artifacts in the order they were first stored.
    public private(set) var artifactNames: [String] = []
    private var artifacts: [String: StableBytes] = [:]
    /// Artifacts with one record of this many bytes per row, shrunk with the table.
    private var rowAligned: [String: Int] = [:]
    /// False while `apply` runs: new rows are scored one for one.
    private var rowsRemovable = true

    // Per-stage state.
    private var params: [(key: String, value: String)] = []
    private var metrics: [(name: String, value: Double)] = []
    /// Metric name → position in `metrics` (a stage may record one per column).
    private var metricIndex: [String: Int] = [:]
    private var verdict: StageResult.Verdict?
    private var failure: String?
    private weak var observer: (any StageObserver)?

    // C strings handed out; freed when the host goes away.
    private var strings = CStringPool()
    /// Storage replaced during a stage stays alive until the stage returns.
    private var retired: [AnyObject] = []

    /// Column name → index, built on first use after a change: `column_index`
    /// is called once per column by stages that walk thousands of them.
    private var nameIndex: [String: Int]?

    /// Index of the column named `name` in the current table.
    fileprivate func index(of name: String) -> Int? {
        if nameIndex == nil {
            var built: [String: Int] = [:]
            for (index, column) in table.columns.enumerated() where built[column.name] == nil { built[column.name] = index }
            nameIndex = built
        }
        return nameIndex?[name]
    }

    /// The roles at a stable address for `row_roles()`.
    private var roleBytes: StableBytes

    deinit { strings.freeAll() }

    public init(table: Table, roles: [UInt8], settings: [String: String]) {
        precondition(roles.count == table.rowCount, "one role per row")
        self.table = table
        self.roles = roles
        self.roleBytes = StableBytes(roles)
        self.settings = settings
    }

    /// Bytes of an artifact stored by a stage.
    public func artifact(_ name: String) -> [UInt8]? {
        artifacts[name].map { Array($0.bytes) }
    }

    /// Stores an artifact from the host side (e.g. the pinned split). With
    /// `bytesPerRow`, it holds one record per row of the table and loses the
    /// records of rows a stage removes.
    public func putArtifact(_ name: String, _ bytes: [UInt8], bytesPerRow: Int? = nil) {
        if artifacts[name] == nil { artifactNames.append(name) }
        artifacts[name] = StableBytes(bytes)
        rowAligned[name] = bytesPerRow
    }

    /// Runs `plugin` as one stage with `params`. Never throws: whatever the
    /// plugin does (short of crashing the process) becomes a ``StageResult``.
    public func run(_ plugin: LoadedPlugin, params: [String: String], observer: (any StageObserver)?) -> StageResult {
        call(plugin, entry: plugin.descriptor.pointee.run, params: params, observer: observer)
    }

    /// Calls the plugin's `apply` entry (what it fitted, re-applied to this
    /// host's table of new rows). A plugin without one leaves the table as is.
    public func apply(_ plugin: LoadedPlugin, params: [String: String], observer: (any StageObserver)?) -> StageResult {
        guard let apply = plugin.apply else {
            return StageResult(status: .succeeded, metrics: [], verdict: nil, durationMs: 0)
        }
        rowsRemovable = false
        defer { rowsRemovable = true }
        return call(plugin, entry: apply, params: params, observer: observer)
    }

    private func call(_ plugin: LoadedPlugin, entry: StageEntry?, params: [String: String],
                      observer: (any StageObserver)?) -> StageResult {
        self.params = params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        metrics = []
        metricIndex = [:]
        verdict = nil
        failure = nil
        self.observer = observer
        let started = Timestamp.monotonic()
        let context = OpaquePointer(Unmanaged.passUnretained(self).toOpaque())
        let code = withUnsafePointer(to: Self.api) { api in
            entry.map { $0(plugin.descriptor, api, context) } ?? Int32(SLUICE_ERROR)
        }
        let durationMs = (Timestamp.monotonic() - started) * 1000
        retired.removeAll()
        self.observer = nil
        let status: StageResult.Status
        if let failure {
            status = .failed(failure)
        } else if code != SLUICE_OK {
            status = .failed("plugin \(plugin.name) returned \(code) without a message")
        } else {
            status = .succeeded
        }
        return StageResult(status: status, metrics: metrics, verdict: verdict, durationMs: durationMs)
    }

    // MARK: Services (called through the C table)

    fileprivate static func from(_ context: OpaquePointer?) -> StageHost {
        Unmanaged<StageHost>.fromOpaque(UnsafeRawPointer(context!)).takeUnretainedValue()
    }

    fileprivate func column(_ index: Int32) -> TableColumn? {
        index >= 0 && Int(index) < table.columns.count ? table.columns[Int(index)] : nil
    }

    fileprivate func putColumn(_ column: TableColumn) {
        if let index = index(of: column.name) {
            retired.append(Self.storageObject(table.columns[index].values))
            table.columns[index] = column
        } else {
            table.columns.append(column)
            nameIndex?[column.name] = table.columns.count - 1
        }
    }

    /// Replaces a numeric column's values in place, when the column exists with
    /// this length and the table holds the only reference to its storage (the
    /// run keeps none once the stages start): the memory is already faulted
    /// in, where a fresh copy would cost page faults per column (features
    /// replaces every numeric column). The ABI allows it: a replaced column's
    /// pointers are no longer valid. False when it does not apply.
    fileprivate func overwriteNumeric(_ name: String, _ values: UnsafePointer<Float>, count: Int) -> Bool {
        guard let index = index(of: name), case .numeric(var storage) = table.columns[index].values,
              storage.values.count == count, count > 0 else { return false }
        // With the table's reference parked, `storage` is the only one if nothing else holds it.
        table.columns[index].values = .numeric(Self.placeholder)
        defer { table.columns[index].values = .numeric(storage) }
        guard isKnownUniquelyReferenced(&storage) else { return false }
        memmove(storage.values.baseAddress!, values, count * MemoryLayout<Float>.stride)
        return true
    }

    private static let placeholder = NumericStorage(count: 0)

    fileprivate func dropColumn(_ name: String) -> Bool {
        guard let index = index(of: name) else { return false }
        retired.append(Self.storageObject(table.columns[index].values))
        table.columns.remove(at: index)
        nameIndex = nil
        return true
    }

    static func storageObject(_ values: ColumnValues) -> AnyObject {
        switch values {
        case .numeric(let storage): storage
        case .categorical(let storage): storage
        }
    }

    /// Keeps the rows `keep` marks (see `keep_rows` in the header).
    fileprivate func keepRows(_ keep: UnsafeBufferPointer<UInt8>) -> Bool {
        guard rowsRemovable, keep.count == table.rowCount else { return false }
        let kept = keep.indices.filter { keep[$0] != 0 }
        guard !kept.isEmpty else { return false }
        if kept.count == keep.count { return true }
        for column in table.columns { retired.append(Self.storageObject(column.values)) }
        table = table.rows(kept)
        roles = kept.map { roles[$0] }
        retired.append(roleBytes)
        roleBytes = StableBytes(roles)
        for (name, stride) in rowAligned {
            guard let stored = artifacts[name], stored.bytes.count == keep.count * stride else { continue }
            var bytes = [UInt8]()
            bytes.reserveCapacity(kept.count * stride)
            for row in kept { bytes += stored.bytes[(row * stride)..<((row + 1) * stride)] }
            retired.append(stored)
            artifacts[name] = StableBytes(bytes)
        }
        return true
    }

    fileprivate func cString(_ text: String) -> UnsafePointer<CChar> { strings.intern(text) }

    fileprivate func param(_ key: String) -> String? { params.first { $0.key == key }?.value }

    fileprivate func recordMetric(_ name: String, _ value: Double) {
        if let index = metricIndex[name] {
            metrics[index].value = value
        } else {
            metricIndex[name] = metrics.count
            metrics.append((name, value))
        }
    }

    fileprivate func artifactPointer(_ name: String) -> StableBytes? { artifacts[name] }

    fileprivate func log(_ level: Int32, _ message: String) { observer?.stageLogged(level: level, message: message) }

    fileprivate func progress(_ fraction: Double, _ text: String) {
        observer?.stageProgressed(fraction: min(max(fraction, 0), 1), text: text)
    }

    fileprivate func setVerdict(_ code: Int32, _ reason: String) {
        verdict = code == Int32(SLUICE_VERDICT_APPROVE.rawValue) ? .approve(reason) : .reject(reason)
    }

    fileprivate func fail(_ message: String) {
        if failure == nil { failure = message }
    }

    // MARK: The service table

    /// The one table of function pointers every plugin receives.
    static let api: sluice_host_api = {
        var api = sluice_host_api()
        api.struct_size = UInt32(MemoryLayout<sluice_host_api>.size)
        api.abi_version = UInt32(SLUICE_PLUGIN_ABI_VERSION)
        api.row_count = { Int64(StageHost.from($0).table.rowCount) }
        api.column_count = { Int32(StageHost.from($0).table.columns.count) }
        api.column_name = { context, index in
            let host = StageHost.from(context)
            return host.column(index).map { host.cString($0.name) }
        }
        api.column_type = { context, index in
            switch StageHost.from(context).column(index)?.values {
            case .numeric?: Int32(SLUICE_COLUMN_NUMERIC.rawValue)
            case .categorical?: Int32(SLUICE_COLUMN_CATEGORICAL.rawValue)
            case nil: 0
            }
        }
        api.column_index = { context, name in
            guard let name else { return -1 }
            return Int32(StageHost.from(context).index(of: String(cString: name)) ?? -1)
        }
        api.column_numeric = { context, index in
            guard case .numeric(let storage)? = StageHost.from(context).column(index)?.values else { return nil }
            return UnsafePointer(storage.values.baseAddress)
        }
        api.column_codes = { context, index in
            guard case .categorical(let storage)? = StageHost.from(context).column(index)?.values else { return nil }
            return UnsafePointer(storage.codes.baseAddress)
        }
        api.dictionary_size = { context, index in
            guard case .categorical(let storage)? = StageHost.from(context).column(index)?.values else { return 0 }
            return Int32(storage.dictionary.count)
        }
        api.dictionary_value = { context, index, code in
            let host = StageHost.from(context)
            guard case .categorical(let storage)? = host.column(index)?.values,
                  code >= 0, Int(code) < storage.dictionary.count else { return nil }
            return host.cString(storage.dictionary[Int(code)])
        }
        api.put_numeric_column = { context, name, values, count in
            let host = StageHost.from(context)
            guard let name, count == Int64(host.table.rowCount), values != nil || count == 0 else { return SLUICE_ERROR }
            let text = String(cString: name)
            if let values, host.overwriteNumeric(text, values, count: Int(count)) { return SLUICE_OK }
            let storage = NumericStorage(copying: UnsafeBufferPointer(start: values, count: Int(count)))
            host.putColumn(TableColumn(name: text, values: .numeric(storage)))
            return SLUICE_OK
        }
        api.put_categorical_column = { context, name, codes, count, dictionary, dictionarySize in
            let host = StageHost.from(context)
            guard let name, count == Int64(host.table.rowCount), dictionarySize >= 0,
                  codes != nil || count == 0 else { return SLUICE_ERROR }
            var words: [String] = []
            for index in 0..<Int(dictionarySize) {
                guard let word = dictionary?[index] else { return SLUICE_ERROR }
                words.append(String(cString: word))
            }
            let codeBuffer = UnsafeBufferPointer(start: codes, count: Int(count))
            if codeBuffer.contains(where: { $0 < -1 || $0 >= dictionarySize }) { return SLUICE_ERROR }
            host.putColumn(TableColumn(name: String(cString: name),
                                       values: .categorical(CategoricalStorage(codes: codeBuffer, dictionary: words))))
            return SLUICE_OK
        }
        api.drop_column = { context, name in
            guard let name else { return SLUICE_ERROR }
            return StageHost.from(context).dropColumn(String(cString: name)) ? SLUICE_OK : SLUICE_ERROR
        }
        api.row_roles = { context in
            StageHost.from(context).roleBytes.bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        }
        api.row_line = { context, row in
            let lines = StageHost.from(context).table.rowLines
            return row >= 0 && Int(row) < lines.count ? lines[Int(row)] : 0
        }
        api.param = { context, key in
            guard let key else { return nil }
            let host = StageHost.from(context)
            return host.param(String(cString: key)).map { host.cString($0) }
        }
        api.param_count = { Int32(StageHost.from($0).params.count) }
        api.param_key = { context, index in
            let host = StageHost.from(context)
            return index >= 0 && Int(index) < host.params.count ? host.cString(host.params[Int(index)].key) : nil
        }
        api.setting = { context, key in
            guard let key else { return nil }
            let host = StageHost.from(context)
            return host.settings[String(cString: key)].map { host.cString($0) }
        }
        api.put_metric = { context, name, value in
            guard let name else { return SLUICE_ERROR }
            StageHost.from(context).recordMetric(String(cString: name), value)
            return SLUICE_OK
        }
        api.put_artifact = { context, name, bytes, size in
            guard let name, size >= 0, bytes != nil || size == 0 else { return SLUICE_ERROR }
            let copy = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: bytes, count: Int(size)))
            StageHost.from(context).putArtifact(String(cString: name), copy)
            return SLUICE_OK
        }
        api.get_artifact = { context, name, size in
            guard let name, let stored = StageHost.from(context).artifactPointer(String(cString: name)) else {
                size?.pointee = 0
                return nil
            }
            size?.pointee = Int64(stored.bytes.count)
            return stored.bytes.baseAddress
        }
        // A plugin's messages are lines wherever they go (log, ledger, `.reason`):
        // control characters in them are escaped here, at the ABI boundary.
        api.log = { context, level, message in
            StageHost.from(context).log(level, message.map { MessageText.escaped(String(cString: $0)) } ?? "")
        }
        api.progress = { context, fraction, text in
            StageHost.from(context).progress(fraction, text.map { MessageText.escaped(String(cString: $0)) } ?? "")
        }
        api.set_verdict = { context, verdict, reason in
            StageHost.from(context).setVerdict(verdict, reason.map { MessageText.escaped(String(cString: $0)) } ?? "")
        }
        api.fail = { context, message in
            StageHost.from(context).fail(message.map { MessageText.escaped(String(cString: $0)) } ?? "failed without a message")
        }
        api.keep_rows = { context, keep, count in
            guard let keep, count >= 0 else { return SLUICE_ERROR }
            return StageHost.from(context).keepRows(UnsafeBufferPointer(start: keep, count: Int(count))) ? SLUICE_OK : SLUICE_ERROR
        }
        return api
    }()
}

/// Bytes at a stable address (artifacts handed to plugins by pointer).
final class StableBytes {
    let buffer: UnsafeMutableRawBufferPointer

    init(_ bytes: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        self.buffer = buffer
        count = bytes.count
    }

    private let count: Int
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<count]) }

    deinit { buffer.deallocate() }
}

/// Interned C strings, freed together.
struct CStringPool {
    private var pointers: [String: UnsafeMutablePointer<CChar>] = [:]

    mutating func intern(_ text: String) -> UnsafePointer<CChar> {
        if let pointer = pointers[text] { return UnsafePointer(pointer) }
        let pointer = strdup(text)!
        pointers[text] = pointer
        return UnsafePointer(pointer)
    }

    func freeAll() { pointers.values.forEach { free($0) } }
}
