/// A run row with its stages, as read back.
public struct RunRow: Sendable, Codable, Equatable {
    public var id: Int64
    public var runKey: String
    public var dropId: Int64
    public var pipeline: String
    public var status: RunStatus
    public var message: String?
    public var startedAt: String
    public var durationMs: Double?
    public var stages: [StageRunRow]
    /// The host that ran it (nil for runs from before hosts were recorded).
    public var host: String? = nil
}
