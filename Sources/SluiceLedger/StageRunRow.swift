/// A stage run row.
public struct StageRunRow: Sendable, Codable, Equatable {
    public var position: Int
    public var stage: String
    public var kind: String
    public var pluginVersion: String?
    public var status: StageStatus
    public var message: String?
    public var durationMs: Double?
}
