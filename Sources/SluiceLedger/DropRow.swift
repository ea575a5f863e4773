/// A drop row, as read back.
public struct DropRow: Sendable, Codable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var fileName: String
    public var sha256: String?
    public var sizeBytes: Int64?
    public var rows: Int64?
    public var receivedAt: String
    public var finishedAt: String?
    public var outcome: DropOutcome
    public var outcomeReason: String?
    public var finalPath: String?
    /// When retention deleted the archived file (the row stays), and why.
    public var deletedAt: String?
    public var deletedReason: String?
}
