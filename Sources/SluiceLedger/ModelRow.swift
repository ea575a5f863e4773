/// A model row with its metrics.
public struct ModelRow: Sendable, Codable, Equatable {
    public var id: Int64
    public var runId: Int64
    public var pipeline: String
    public var version: Int?
    public var decision: Decision
    public var reasons: String
    public var archivePath: String?
    public var archiveSha256: String?
    public var createdAt: String
    /// `publishing`, `published` or `abandoned` for an approved model's version; nil for a rejected one.
    public var publication: String?
    /// When retention deleted the archive (the row stays), and why.
    public var deletedAt: String?
    public var deletedReason: String?
    /// The model's identity digest (manifest.json's `identity.digest`).
    public var identity: String?
    /// Metrics recorded by evaluate stages, by name.
    public var metrics: [String: Double]
}
