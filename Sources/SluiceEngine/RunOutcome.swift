/// How a run ended, and where its drop went.
public struct RunOutcome: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The model passed the gate and was published.
        case approved
        /// The data was fine but the model did not pass the gate.
        case rejected
        /// A stage failed or rejected the data; the drop is in quarantine.
        case quarantined
        /// The same content was processed before; archived without retraining.
        case duplicate
    }

    public let kind: Kind
    public let runId: Int64
    public let dropId: Int64
    /// The decision's or failure's reasons.
    public let reason: String
    /// Where the drop ended (archive/ or quarantine/).
    public let dropPath: String
    /// The published archive, when approved.
    public let archivePath: String?
    public let version: Int?
}
