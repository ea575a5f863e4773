import Foundation
import Logging
import SluiceConfig
import SluiceData
import SluiceFormats
import SluiceLedger
import SluicePluginHost
import SluiceSystem

/// Runs one claimed drop through its pipeline as a short sequence of named
/// steps — ``Intake``, ``References``, ``StageSequence``,
/// ``PromotionDecision``, ``Publication``, ``RunDisposition`` — each writing
/// what it did to the ledger and the log. The one-shot `serve --once` and the
/// daemon's workers share this path. See docs/architecture.md.
public final class RunExecutor {
    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let catalog: StageCatalog
    let logger: Logger
    /// Called with (stage, fraction, text) whenever a stage reports progress.
    public var onProgress: ((String, Double, String) -> Void)?

    public init(configuration: SluiceConfiguration, ledger: any Ledger, catalog: StageCatalog, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.catalog = catalog
        self.logger = logger
    }

    /// Runs `claim` through `pipeline`. Bad data and failing plugins become a
    /// quarantined or rejected outcome, never an error.
    /// - Throws: only when the ledger or the filesystem fails (the drop then
    ///   stays in `work/`, where recovery finds it).
    /// - Parameters:
    ///   - dropId: the drop's ledger row when this is a retry (a new row is made otherwise).
    ///   - runKey: the run's key; the claim's key for a first attempt.
    public func execute(_ claim: DropClaim, pipeline: PipelineConfiguration, dropId existingDrop: Int64? = nil,
                        runKey: String? = nil) throws -> RunOutcome {
        let started = Timestamp.monotonic()
        let startedAt = Timestamp.now()
        let key = runKey ?? claim.runKey
        // A retry the daemon started without the drop's row (the ledger was busy
        // when the last attempt ended) finds it, and settles that attempt first.
        let earlier = try existingDrop == nil ? ledger.drop(inboxPath: claim.inboxPath, claimedAt: claim.claimedAt) : nil
        if let earlier, let finished = try settleEarlierAttempts(claim, dropId: earlier) { return finished }
        let dropId = try existingDrop ?? earlier ?? ledger.recordDrop(pipeline: pipeline.name, fileName: claim.fileName,
                                                                      inboxPath: claim.inboxPath, receivedAt: claim.receivedAt,
                                                                      claimedAt: claim.claimedAt)
        let runId = try ledger.startRun(dropId: dropId, pipeline: pipeline.name, runKey: key,
                                        seed: pipeline.seed, configSHA256: configuration.sha256,
                                        workDirectory: claim.workDirectory, pid: getpid(),
                                        host: configuration.host)
        let run = RunContext(configuration: configuration, ledger: ledger, catalog: catalog, logger: logger,
                             onProgress: onProgress, claim: claim, pipeline: pipeline, dropId: dropId, runId: runId,
                             runKey: key, started: started, startedAt: startedAt)
        try run.event(.info, "drop.claimed", "claimed \(claim.fileName) → \(run.display(claim.workDirectory))/")
        return try Self.steps(run)
    }

    /// Earlier attempts at this drop the ledger still shows running (their
    /// worker ended without recording it): one whose model was published is
    /// completed — its outcome returned, nothing re-run; the others become
    /// `interrupted`.
    func settleEarlierAttempts(_ claim: DropClaim, dropId: Int64) throws -> RunOutcome? {
        for run in try ledger.runningRuns() where run.dropId == dropId {
            if let version = try PublicationRecovery.settle(runId: run.id, configuration: configuration, ledger: ledger,
                                                            logger: logger)[run.id] {
                try PublicationRecovery.fileApprovedDrop(claim, dropId: dropId, runId: run.id, version: version,
                                                         configuration: configuration, ledger: ledger, logger: logger)
                let drop = try ledger.drop(id: dropId)
                return RunOutcome(kind: .approved, runId: run.id, dropId: dropId, reason: drop?.outcomeReason ?? "",
                                  dropPath: drop?.finalPath ?? "", archivePath: nil, version: version)
            }
            let reason = "interrupted: its worker could not record it (the ledger was busy); run again"
            try ledger.failRunningStages(runId: run.id, message: reason)
            try ledger.finishRun(id: run.id, status: .interrupted, message: reason, durationMs: 0)
        }
        return nil
    }

    static func steps(_ run: RunContext) throws -> RunOutcome {
        let disposition = RunDisposition(run: run)
        let intake: Intake.Prepared
        switch try Intake(run: run).perform() {
        case .finished(let outcome): return outcome
        case .prepared(let prepared): intake = prepared
        }
        CrashPoint.ingested.reach()
        let references = try References(pipeline: run.pipeline, ledger: run.ledger, searchPath: run.catalog.searchPath)
        run.champion = references.championInput
        if run.pipeline.monitor?.action == .retrain, references.champion != nil,
           let request = try run.ledger.consumeRetrainRequest(pipeline: run.pipeline.name, runId: run.runId) {
            run.monitorWaiver = "monitor: \(request.reason)"
        }
        let settings: [String: String] = [
            "pipeline": run.pipeline.name, "task": run.pipeline.task.rawValue, "target": run.pipeline.target,
            "seed": String(run.pipeline.seed), "drop_name": run.claim.fileName, "drop_sha256": run.sha256,
            "run_id": run.runKey, "holdout_fraction": String(run.pipeline.holdoutFraction),
        ]
        // The host holds the only reference to the drop's columns from here on,
        // so the memory of those a stage replaces is reused (see MemoryReuse).
        let host = StageHost(table: intake.table, roles: intake.roles, settings: settings)
        try references.putSchemaAndProfile(into: host)
        // What needs the drop's own columns is done before any stage can
        // replace them: the champion is re-scored on them (for evaluate) and
        // the schema the archive will carry is taken.
        if run.stages.contains(where: { $0.plugin.kind == .evaluate }),
           let (level, kind, message) = try references.scoreChampion(on: host.table, into: host) {
            try run.event(level, kind, message)
        }
        let schema = try ModelPublisher.schema(of: host.table, target: run.pipeline.target)

        let verdicts: [PromotionDecision.Verdict], waiver: String?
        let plugins: [Manifest.Plugin], metrics: [String: [String: Double]]
        switch try StageSequence(run: run, references: references).perform(on: host) {
        case .quarantine(let reason, let stage): return try disposition.quarantine(reason: reason, stage: stage)
        case .completed(let v, let w, let p, let m): (verdicts, waiver, plugins, metrics) = (v, w, p, m)
        }
        if let growth = run.claim.growthSinceClaim {
            // Never publish a model of half a file.
            try run.event(.error, "drop.changed", growth)
            return try disposition.quarantine(reason: growth, stage: "intake")
        }
        try recordChampionPerformance(run, metrics: metrics)
        let decision = PromotionDecision.decide(verdicts: verdicts, championWaiver: waiver)
        try run.event(decision.decision == .approved ? .info : .warning, "model.decided",
                      "decision   \(decision.decision.rawValue): \(decision.reasonText)")
        let inputs = Publication.Inputs(plugins: plugins, metrics: metrics, decision: decision, schema: schema,
                                        dropSize: intake.dropSize, dropRows: intake.dropRows)
        guard decision.decision == .approved else {
            let package = try Publication(run: run).packageRejected(inputs, host: host)
            let modelId = try run.ledger.recordModel(runId: run.runId, pipeline: run.pipeline.name, version: nil,
                                                     decision: .rejected, reasons: decision.reasonText,
                                                     archivePath: package?.path, archiveSHA256: package?.sha256)
            if let package {
                try run.ledger.recordModelIdentity(modelId: modelId, digest: package.identity)
                try run.event(.info, "model.packaged", "rejected candidate kept as \(run.display(package.path)) (sluice promote --force can serve it)")
            }
            return try disposition.archive(kind: .rejected, reason: "model rejected: \(decision.reasonText)",
                                           archive: nil, version: nil)
        }
        let published: (version: Int, path: String)
        do {
            published = try Publication(run: run).publish(inputs, host: host)
        } catch let error as LedgerError {
            throw error
        } catch {
            try run.event(.error, "model.publish_failed", "publishing the approved model failed: \(error)")
            return try disposition.quarantine(reason: "publishing the approved model failed: \(error)", stage: "publish")
        }
        try run.event(.info, "model.published",
                      "published  \(run.display(published.path)) (current → v\(published.version))")
        let outcome = try disposition.archive(kind: .approved, reason: "model v\(published.version) approved and published",
                                              archive: published.path, version: published.version)
        applyRetention(run)
        return outcome
    }

    /// The champion re-scored on this drop's holdout is one more measurement of
    /// how it does on new labelled data; the monitor policy looks at it.
    static func recordChampionPerformance(_ run: RunContext, metrics: [String: [String: Double]]) throws {
        guard let version = run.champion?.version else { return }
        for (_, stageMetrics) in metrics.sorted(by: { $0.key < $1.key }) {
            let champion = stageMetrics.filter { $0.key.hasPrefix("champion.") }
                .map { (String($0.key.dropFirst("champion.".count)), $0.value) }.sorted { $0.0 < $1.0 }
            guard !champion.isEmpty else { continue }
            try run.ledger.recordRealizedMetrics(pipeline: run.pipeline.name, version: version, source: "training",
                                                 scoringRunId: nil, labelsDropId: nil, runId: run.runId, metrics: champion,
                                                 rows: Int(stageMetrics["holdout_rows"] ?? 0))
        }
        try DegradationMonitor(configuration: run.configuration, ledger: run.ledger, logger: run.logger).check(run.pipeline)
    }

    /// Retention after each publication; a failure is logged and recorded, and the run stays approved.
    static func applyRetention(_ run: RunContext) {
        let retention = run.pipeline.retention
        guard retention.limitsVersions || retention.rejectedDays != nil else { return }
        do {
            try Retention(configuration: run.configuration, ledger: run.ledger, logger: run.logger).run(run.pipeline)
        } catch {
            run.logger.error("[\(run.pipeline.name)] retention failed after publishing: \(error)")
            do {
                try run.event(.error, "retention.failed", "retention failed after publishing: \(error)")
            } catch {
                run.logger.error("[\(run.pipeline.name)] could not record the retention failure: \(error)")
            }
        }
    }
}
