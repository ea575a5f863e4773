/// An event row.
public struct EventRow: Sendable, Codable, Equatable {
    public var at: String
    public var level: EventLevel
    public var kind: String
    public var pipeline: String?
    public var runId: Int64?
    public var message: String
}
