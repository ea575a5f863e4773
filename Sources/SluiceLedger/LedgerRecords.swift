/// Values the engine writes into the ledger and the report reads back.
/// Times are UTC ISO-8601 text (see `Timestamp`).

/// A drop's final place.
public enum DropOutcome: String, Sendable, Codable {
    case claimed, archived, quarantined
}

/// How a run ended.
public enum RunStatus: String, Sendable, Codable {
    case running, approved, rejected, failed, interrupted, duplicate
}

/// How a stage ended.
public enum StageStatus: String, Sendable, Codable {
    case running, succeeded, failed, skipped
}

/// The gate's decision on a candidate model.
public enum Decision: String, Sendable, Codable {
    case approved, rejected
}

/// Event severities (a subset of syslog's).
public enum EventLevel: String, Sendable, Codable {
    case error, warning, info, debug
}

/// A plugin's identity as recorded with each stage run.
public struct PluginIdentity: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    public var path: String
    public var sha256: String

    public init(name: String, version: String, path: String, sha256: String) {
        self.name = name
        self.version = version
        self.path = path
        self.sha256 = sha256
    }
}

/// Totals for one pipeline, for monitoring.
public struct PipelineCounters: Sendable {
    public var pipeline: String
    /// Drops by outcome (`claimed`, `archived`, `quarantined`).
    public var drops: [String: Int] = [:]
    /// Runs by status.
    public var runs: [String: Int] = [:]
    /// Stage → (count, total seconds).
    public var stageSeconds: [String: (Int, Double)] = [:]
    public var currentVersion: Int?
    /// When the last approved run ended (ISO-8601).
    public var lastSuccess: String?

    public init(pipeline: String) { self.pipeline = pipeline }
}

/// The identity of a run, for recovery.
public struct RunRef: Sendable, Equatable {
    public var id: Int64
    public var key: String
    public var dropId: Int64
    public var pipeline: String
    public var status: RunStatus
    public var pid: Int32?
    public var workDirectory: String

    public init(id: Int64, key: String, dropId: Int64, pipeline: String, status: RunStatus, pid: Int32?,
                workDirectory: String) {
        self.id = id
        self.key = key
        self.dropId = dropId
        self.pipeline = pipeline
        self.status = status
        self.pid = pid
        self.workDirectory = workDirectory
    }
}

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
}

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

/// A model row with its metrics.
public struct ModelRow: Sendable, Codable, Equatable {
    public var id: Int64
    public var runId: Int64
    public var pipeline: String
    public var version: Int?
    public var decision: Decision
    public var reasons: String
    public var archivePath: String?
    public var archiveSha256: String?
    public var createdAt: String
    /// `publishing`, `published` or `abandoned` for an approved model's version; nil for a rejected one.
    public var publication: String?
    /// When retention deleted the archive (the row stays), and why.
    public var deletedAt: String?
    public var deletedReason: String?
    /// The model's identity digest (manifest.json's `identity.digest`).
    public var identity: String?
    /// Metrics recorded by evaluate stages, by name.
    public var metrics: [String: Double]
}

/// An event row.
public struct EventRow: Sendable, Codable, Equatable {
    public var at: String
    public var level: EventLevel
    public var kind: String
    public var pipeline: String?
    public var runId: Int64?
    public var message: String
}

/// An archived drop that can join a training window.
public struct WindowDrop: Sendable, Equatable {
    public var id: Int64
    public var fileName: String
    public var path: String
    public var sha256: String
    public var receivedAt: String
}

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

/// The ledger holds something this sluice cannot read: which table, column and value.
public struct LedgerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
