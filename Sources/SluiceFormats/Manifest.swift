/// `manifest.json` in every model archive (format `sluice.manifest/1`):
/// exactly what data, configuration, code and parameters made the model.
/// docs/artifacts.md describes each field.
public struct Manifest: Codable, Equatable, Sendable {
    public struct Drop: Codable, Equatable, Sendable {
        public var file: String
        public var sha256: String
        public var sizeBytes: Int64
        public var rows: Int
        public var receivedAt: String

        public init(file: String, sha256: String, sizeBytes: Int64, rows: Int, receivedAt: String) {
            self.file = file
            self.sha256 = sha256
            self.sizeBytes = sizeBytes
            self.rows = rows
            self.receivedAt = receivedAt
        }
    }

    public struct Config: Codable, Equatable, Sendable {
        public var file: String
        public var sha256: String

        public init(file: String, sha256: String) {
            self.file = file
            self.sha256 = sha256
        }
    }

    public struct Plugin: Codable, Equatable, Sendable {
        public var stage: String
        public var name: String
        public var version: String
        public var kind: String
        public var file: String
        public var sha256: String
        public var params: [String: String]
        public var durationMs: Double
        /// True when the plugin has an `apply` entry: wherever the model scores
        /// new rows, the host loads this file (by its SHA-256) and re-applies
        /// what the stage fitted. Absent otherwise, and in older archives.
        public var applies: Bool?

        public init(stage: String, name: String, version: String, kind: String, file: String, sha256: String, params: [String: String], durationMs: Double, applies: Bool? = nil) {
            self.stage = stage
            self.name = name
            self.version = version
            self.kind = kind
            self.file = file
            self.sha256 = sha256
            self.params = params
            self.durationMs = durationMs
            self.applies = applies
        }
    }

    public struct Run: Codable, Equatable, Sendable {
        public var id: Int64
        public var key: String
        public var startedAt: String
        public var finishedAt: String

        public init(id: Int64, key: String, startedAt: String, finishedAt: String) {
            self.id = id
            self.key = key
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }

    public var format = "sluice.manifest/1"
    public var sluiceVersion: String
    public var pipeline: String
    public var version: Int
    public var task: String
    public var target: String
    public var seed: UInt64
    public var holdoutFraction: Double
    public var createdAt: String
    public var run: Run
    public var drop: Drop
    public var config: Config
    public var plugins: [Plugin]
    /// stage name → metric name → value.
    public var metrics: [String: [String: Double]]
    public var decision: String
    public var reasons: String
    /// Archive member → SHA-256 of its bytes (every member but this file).
    public var files: [String: String]
    /// The model's identity: its inputs, its outputs' hashes and their digest (nil in older archives).
    public var identity: ModelIdentity?

    public init(sluiceVersion: String, pipeline: String, version: Int, task: String, target: String, seed: UInt64, holdoutFraction: Double, createdAt: String, run: Run, drop: Drop, config: Config, plugins: [Plugin], metrics: [String: [String: Double]], decision: String, reasons: String, files: [String: String]) {
        self.sluiceVersion = sluiceVersion
        self.pipeline = pipeline
        self.version = version
        self.task = task
        self.target = target
        self.seed = seed
        self.holdoutFraction = holdoutFraction
        self.createdAt = createdAt
        self.run = run
        self.drop = drop
        self.config = config
        self.plugins = plugins
        self.metrics = metrics
        self.decision = decision
        self.reasons = reasons
        self.files = files
    }
}

