import Foundation
import Logging
import SluiceConfig
import SluiceFormats
import SluiceData
import SluiceLedger
import SluiceSystem

/// What every step of one run shares: the claim, the pipeline, the run's
/// ledger rows, and how to say what happened (ledger event and log line at once).
/// A reference type so steps can fill in what later ones need (the drop's hash).
final class RunContext {
    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let catalog: StageCatalog
    let logger: Logger
    let onProgress: ((String, Double, String) -> Void)?
    let claim: DropClaim
    let pipeline: PipelineConfiguration
    let dropId: Int64
    let runId: Int64
    /// This run's own key: the claim's for a first attempt, `<key>.<n>` for a retry.
    let runKey: String
    let started: Double
    let startedAt: String
    /// The drop's SHA-256, once ingest (or a failed ingest's fallback) has it.
    var sha256 = ""
    /// Content hashes of the drops trained on (own, then window), for the model's identity.
    var inputDropHashes: [String] = []
    /// The drop's own table as parsed (before a window is stacked under it):
    /// kept in the column cache when the drop is archived.
    var parsedDrop: Table?
    /// The model in service the run compares against, for the model's identity.
    var champion: ModelIdentity.Champion?
    /// A `monitor:` retrain request this run takes: it waives the champion comparison.
    var monitorWaiver: String?

    init(configuration: SluiceConfiguration, ledger: any Ledger, catalog: StageCatalog, logger: Logger,
         onProgress: ((String, Double, String) -> Void)?, claim: DropClaim, pipeline: PipelineConfiguration,
         dropId: Int64, runId: Int64, runKey: String, started: Double, startedAt: String) {
        self.configuration = configuration
        self.ledger = ledger
        self.catalog = catalog
        self.logger = logger
        self.onProgress = onProgress
        self.claim = claim
        self.pipeline = pipeline
        self.dropId = dropId
        self.runId = runId
        self.runKey = runKey
        self.started = started
        self.startedAt = startedAt
    }

    var prefix: String { "[\(pipeline.name) run \(runId) \(claim.fileName)]" }

    /// The pipeline's resolved stages, in order.
    var stages: [StageCatalog.ResolvedStage] { catalog.stages[pipeline.name] ?? [] }

    /// Records an event in the ledger and logs it at the same level.
    func event(_ level: EventLevel, _ kind: String, _ message: String) throws {
        try ledger.recordEvent(level: level, kind: kind, pipeline: pipeline.name, dropId: dropId, runId: runId,
                               message: message)
        let line = "\(prefix) \(message)"
        switch level {
        case .error: logger.error("\(line)")
        case .warning: logger.warning("\(line)")
        case .info: logger.info("\(line)")
        case .debug: logger.debug("\(line)")
        }
    }

    /// `path` relative to the current folder when it is inside it (for log lines).
    func display(_ path: String) -> String {
        let cwd = FileSystem.currentDirectory()
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }

    static func milliseconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f ms", value) : (value < 10_000 ? String(format: "%.0f ms", value)
                                                         : String(format: "%.1f s", value / 1000))
    }

    /// How drops of this pipeline are read: its `limits` on size, rows and field length.
    var csvOptions: CSVOptions {
        CSVOptions(maxFieldLength: pipeline.limits.maxFieldBytes, maxRows: pipeline.limits.maxRows,
                   maxBytes: Int64(pipeline.limits.maxDropBytes))
    }
}
