/// A model version reserved for publishing whose archive may not be in place yet.
public struct PendingPublication: Sendable, Equatable {
    public var modelId: Int64
    public var runId: Int64
    public var pipeline: String
    public var version: Int
    public var archivePath: String
    public var reasons: String

    public init(modelId: Int64, runId: Int64, pipeline: String, version: Int, archivePath: String, reasons: String) {
        self.modelId = modelId
        self.runId = runId
        self.pipeline = pipeline
        self.version = version
        self.archivePath = archivePath
        self.reasons = reasons
    }
}
