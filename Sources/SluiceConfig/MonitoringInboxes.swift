/// A pipeline's inboxes besides its training one: `scoring: {inbox, id_column}`
/// takes drops to score with the model in service (no target needed);
/// `labels: {inbox}` takes `id,target` drops that say how those predictions did.
public struct MonitoringInboxes: Sendable, Equatable {
    /// Absolute scoring inbox, if the pipeline scores drops.
    public var scoringInbox: String?
    /// The column that identifies a row in scoring and labels drops.
    public var idColumn: String
    /// Absolute labels inbox, if the pipeline takes delayed labels.
    public var labelsInbox: String?

    public init(scoringInbox: String? = nil, idColumn: String = "id", labelsInbox: String? = nil) {
        self.scoringInbox = scoringInbox
        self.idColumn = idColumn
        self.labelsInbox = labelsInbox
    }
}
