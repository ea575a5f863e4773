/// `manifest.json` in every model archive (format `sluice.manifest/1`):
/// exactly what data, configuration, code and parameters made the model.
/// docs/artifacts.md describes each field.
struct Manifest: Codable {
    struct Drop: Codable {
        var file: String
        var sha256: String
        var sizeBytes: Int64
        var rows: Int
        var receivedAt: String
    }

    struct Config: Codable {
        var file: String
        var sha256: String
    }

    struct Plugin: Codable {
        var stage: String
        var name: String
        var version: String
        var kind: String
        var file: String
        var sha256: String
        var params: [String: String]
        var durationMs: Double
    }

    struct Run: Codable {
        var id: Int64
        var key: String
        var startedAt: String
        var finishedAt: String
    }

    var format = "sluice.manifest/1"
    var sluiceVersion: String
    var pipeline: String
    var version: Int
    var task: String
    var target: String
    var seed: UInt64
    var holdoutFraction: Double
    var createdAt: String
    var run: Run
    var drop: Drop
    var config: Config
    var plugins: [Plugin]
    /// stage name → metric name → value.
    var metrics: [String: [String: Double]]
    var decision: String
    var reasons: String
    /// Archive member → SHA-256 of its bytes (every member but this file).
    var files: [String: String]
}

/// The version of sluice recorded in manifests and shown by `--version`.
public enum SluiceVersion {
    public static let current = "0.1.0"
}
