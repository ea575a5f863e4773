/// What `sluice plugins check` saw a stage do: written by the child
/// (`plugins probe`) as one JSON line, read and shown by the parent.
struct PluginCheckReport: Codable {
    struct Plugin: Codable {
        var name: String
        var version: String
        var kind: String
        var abiVersion: Int
        var descriptorSize: Int
        var applies: Bool
        var file: String
        var sha256: String
    }

    struct Column: Codable {
        var name: String
        var type: String
    }

    struct Named: Codable {
        var name: String
        var value: Double
    }

    struct Artifact: Codable {
        var name: String
        var bytes: Int
    }

    struct Apply: Codable {
        /// "ok" or "failed: …".
        var status: String
        var durationMs: Double
        var rows: Int
        /// Columns whose holdout values differ between run and apply.
        var mismatched: [String]
        var columnsChanged: [String]
    }

    var plugin: Plugin
    /// "built-in table (…)" or the --data file.
    var data: String
    var task: String
    var target: String
    var rows: Int
    var trainRows: Int
    var holdoutRows: Int
    /// Stock stages run first because the kind needs their output.
    var before: [String]
    /// "ok" or "failed: …".
    var status: String
    var durationMs: Double
    var rowsAfter: Int
    var added: [Column]
    var replaced: [Column]
    var removed: [Column]
    var metrics: [Named]
    var artifacts: [Artifact]
    var verdict: String?
    var apply: Apply?
    /// A train stage's model.json: "ok: …", "missing: …" or "unreadable: …".
    var model: String?

    var succeeded: Bool {
        status == "ok" && (apply.map { $0.status == "ok" && $0.mismatched.isEmpty } ?? true)
            && (model.map { $0.hasPrefix("ok") } ?? true)
    }
}
