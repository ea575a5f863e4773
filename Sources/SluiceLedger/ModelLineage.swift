/// Where a model came from and what became of it, from the ledger: the
/// drops it trained on (its own first, then the window's), its run and each
/// stage of it, its archive, and every change of the model in service that
/// made it current or replaced it.
public struct ModelLineage: Sendable, Codable, Equatable {
    public struct InputDrop: Sendable, Codable, Equatable {
        public var dropId: Int64
        /// 0: the run's own drop; then the window's, newest first.
        public var position: Int
        public var rows: Int
        public var fileName: String
        public var sha256: String?
        public var receivedAt: String
        public var outcome: String
        public var finalPath: String?
        /// When retention deleted the archived file.
        public var deletedAt: String?
    }

    public struct Stage: Sendable, Codable, Equatable {
        public var position: Int
        public var stage: String
        public var kind: String
        public var pluginName: String?
        public var pluginVersion: String?
        public var pluginSHA256: String?
        public var status: String
        public var durationMs: Double?
        public var metrics: [String: Double]
    }

    public var modelId: Int64
    public var pipeline: String
    public var version: Int?
    public var decision: String
    public var publication: String?
    public var reasons: String
    public var archivePath: String?
    public var archiveSHA256: String?
    /// The model's identity digest (manifest.json's `identity.digest`).
    public var identity: String?
    /// When retention deleted the archive, and why (the record stays).
    public var deletedAt: String?
    public var deletedReason: String?
    public var runId: Int64
    public var runKey: String
    public var runStatus: String
    public var startedAt: String
    public var durationMs: Double?
    public var seed: Int64
    public var configSHA256: String
    public var inputs: [InputDrop]
    public var stages: [Stage]
    /// Changes that made this model current (`to`) or replaced it (`from`), oldest first.
    public var changes: [ChampionInterval]
    public var inService: Bool
}
