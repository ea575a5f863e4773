/// One stretch of time a model was a pipeline's champion: from the change
/// that made it current (`since`) to the next change (`until`, nil while it
/// is still in service). Read from the `champion_history` view.
public struct ChampionInterval: Sendable, Codable, Equatable {
    public var changeId: Int64
    public var pipeline: String
    public var modelId: Int64
    public var version: Int
    /// The version served before this change (nil for the first).
    public var fromVersion: Int?
    public var action: ChampionAction
    public var reason: String
    public var by: String
    public var since: String
    public var until: String?
}
