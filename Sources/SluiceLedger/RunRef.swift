/// The identity of a run, for recovery.
public struct RunRef: Sendable, Equatable {
    public var id: Int64
    public var key: String
    public var dropId: Int64
    public var pipeline: String
    public var status: RunStatus
    public var pid: Int32?
    public var workDirectory: String
    /// The host that ran it (nil for runs from before hosts were recorded).
    public var host: String?

    public init(id: Int64, key: String, dropId: Int64, pipeline: String, status: RunStatus, pid: Int32?,
                workDirectory: String, host: String? = nil) {
        self.host = host
        self.id = id
        self.key = key
        self.dropId = dropId
        self.pipeline = pipeline
        self.status = status
        self.pid = pid
        self.workDirectory = workDirectory
    }
}
