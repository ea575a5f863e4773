/// A model trained on a given drop (as its own drop or in a window).
public struct DropUse: Sendable, Codable, Equatable {
    public var pipeline: String
    public var dropId: Int64
    public var fileName: String
    public var modelId: Int64
    public var version: Int?
    public var decision: String
    public var runKey: String
    /// 0: the run's own drop; more: a window drop.
    public var position: Int
    public var inService: Bool
}
