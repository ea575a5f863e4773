@_exported import CSluicePlugin

/// What a stage does. Mirrors `sluice_stage_kind` in the ABI header.
public enum StageKind: Int32, Sendable {
    case validate = 1, features = 2, train = 3, evaluate = 4, custom = 5
}

/// A sluice stage written in Swift: one type, one method.
///
/// ```swift
/// struct RowCount: Stage {
///     static let name = "row-count"
///     static let version = "1.0.0"
///     static let kind = StageKind.custom
///     static let summary = "records the number of rows"
///     init() {}
///     func run(_ context: StageContext) throws {
///         try context.putMetric("rows", Double(context.rowCount))
///     }
/// }
///
/// @_cdecl("sluice_plugin_descriptor_v1")
/// public func descriptor() -> UnsafeRawPointer { PluginExport.descriptor(for: RowCount.self) }
/// ```
///
/// `run` is called once per stage run, on one thread. Throwing fails the stage
/// with the error's description; to reject a model instead, call
/// ``StageContext/reject(_:)`` and return normally.
public protocol Stage {
    /// Short name, as pipelines refer to it (`plugin: <name>`).
    static var name: String { get }
    /// The plugin's own version (recorded in the ledger and manifest).
    static var version: String { get }
    /// What the stage does.
    static var kind: StageKind { get }
    /// One line for `sluice plugins`.
    static var summary: String { get }
    init()
    func run(_ context: StageContext) throws
}

/// A stage that fits something to the training rows (limits, an encoding, a
/// vocabulary) and must re-apply it wherever the model later scores data —
/// `sluice predict`, the champion re-score, scoring drops — so the model in
/// service sees the features it was trained on. `run` fits and stores what it
/// fitted as an artifact (``StageContext/putArtifact(_:_:)``); `apply` reads
/// that artifact (``StageContext/artifact(_:)``) and transforms the new rows
/// in the context's table the same way. Conforming sets the descriptor's
/// `apply` entry.
public protocol AppliedStage: Stage {
    func apply(_ context: StageContext) throws
}

/// An error a stage throws to fail with a message a person can act on.
public struct StageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A data value as it should appear in a message: in single quotes, cut to
/// `limit` characters with "…", line breaks, tabs and other control characters
/// escaped (`\n`, `\t`, `\u{1b}`) so one finding stays one line in the log,
/// the ledger and a `.reason` file. (The host escapes its own messages the
/// same way: host and plugins share only the C ABI.)
public func quotedValue(_ value: some StringProtocol, limit: Int = 40) -> String {
    let cut = value.count > limit
    var text = ""
    for scalar in value.prefix(limit).unicodeScalars {
        switch scalar {
        case "\n": text += "\\n"
        case "\r": text += "\\r"
        case "\t": text += "\\t"
        case _ where scalar.properties.generalCategory == .control:
            text += "\\u{" + String(scalar.value, radix: 16) + "}"
        default: text.unicodeScalars.append(scalar)
        }
    }
    return "'" + text + (cut ? "…'" : "'")
}
