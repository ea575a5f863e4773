import Foundation
import SluiceFormats
import Logging
import SluiceConfig
import SluiceFormats
import SluiceArchive
import SluiceData
import SluiceLedger
import SluicePluginHost
import SluicePredict
import SluiceSystem

/// Runs one claimed drop through its pipeline: ingest, the stages in order,
/// the decision, publishing, and the drop's final move — writing every step
/// to the ledger and the log. The one-shot `serve --once` and the daemon's
/// workers share this path.
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
        let dropId = try existingDrop ?? ledger.recordDrop(pipeline: pipeline.name, fileName: claim.fileName,
                                                           inboxPath: claim.inboxPath, receivedAt: claim.receivedAt,
                                                           claimedAt: claim.claimedAt)
        let runId = try ledger.startRun(dropId: dropId, pipeline: pipeline.name, runKey: runKey ?? claim.runKey,
                                        seed: pipeline.seed, configSHA256: configuration.sha256,
                                        workDirectory: claim.workDirectory, pid: getpid())
        var run = RunContext(executor: self, claim: claim, pipeline: pipeline, dropId: dropId, runId: runId,
                             started: started, startedAt: startedAt)
        try run.event(.info, "drop.claimed", "claimed \(claim.fileName) → \(display(claim.workDirectory))/")
        return try run.execute()
    }

    func display(_ path: String) -> String {
        let cwd = FileSystem.currentDirectory()
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}

/// The state of one run while it executes.
struct RunContext {
    let executor: RunExecutor
    let claim: DropClaim
    let pipeline: PipelineConfiguration
    let dropId: Int64
    let runId: Int64
    let started: Double
    let startedAt: String
    var sha256 = ""
    var stageRecords: [Manifest.Plugin] = []
    var metrics: [String: [String: Double]] = [:]

    var ledger: any Ledger { executor.ledger }
    var logger: Logger { executor.logger }
    var prefix: String { "[\(pipeline.name) run \(runId) \(claim.fileName)]" }

    init(executor: RunExecutor, claim: DropClaim, pipeline: PipelineConfiguration, dropId: Int64, runId: Int64,
         started: Double, startedAt: String) {
        self.executor = executor
        self.claim = claim
        self.pipeline = pipeline
        self.dropId = dropId
        self.runId = runId
        self.started = started
        self.startedAt = startedAt
    }

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

    static func milliseconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f ms", value) : (value < 10_000 ? String(format: "%.0f ms", value)
                                                         : String(format: "%.1f s", value / 1000))
    }

    mutating func execute() throws -> RunOutcome {
        // Ingest: read once, hash, parse.
        let ingestId = try ledger.startStage(runId: runId, position: 0, stage: "ingest", kind: "ingest", plugin: nil)
        let ingestStart = Timestamp.monotonic()
        var table: Table
        let dropSHA256: String, dropSize: Int64
        // Freed memory stays in the process for reuse (see MemoryReuse): ingest
        // no longer frees pieces as it goes, so its peak is the same either way,
        // and the drop's columns, once a stage replaces them, become the memory
        // of the new ones instead of fresh pages (the run keeps no reference to
        // them once the stages start).
        MemoryReuse.keepFreedMemory()
        do {
            let drop = try DropFile.read(claim.path, displayName: claim.fileName, options: csvOptions)
            (table, dropSHA256, dropSize) = (drop.table, drop.sha256, drop.sizeBytes)
        } catch {
            let ms = (Timestamp.monotonic() - ingestStart) * 1000
            try ledger.finishStage(id: ingestId, status: .failed, message: "\(error)", durationMs: ms)
            try event(.error, "stage.failed", "ingest failed in \(Self.milliseconds(ms)): \(error)")
            if let size = try? FileSystem.size(claim.path), let hash = try? ContentHash.sha256(file: claim.path) {
                sha256 = hash
                try ledger.describeDrop(id: dropId, sha256: hash, sizeBytes: size, rows: nil)
            }
            try skipStages(from: 0, reason: "ingest failed")
            return try quarantine(reason: "ingest: \(error)", stage: "ingest")
        }
        sha256 = dropSHA256
        let dropRows = table.rowCount
        let ingestMs = (Timestamp.monotonic() - ingestStart) * 1000
        try ledger.describeDrop(id: dropId, sha256: dropSHA256, sizeBytes: dropSize, rows: Int64(table.rowCount))
        let shape = "\(table.rowCount) rows × \(table.columns.count) columns, sha256 \(dropSHA256.prefix(12))…"
        try ledger.finishStage(id: ingestId, status: .succeeded, message: shape, durationMs: ingestMs)
        try event(.info, "stage.finished", "stage ingest     ok  \(Self.milliseconds(ingestMs))  \(shape)")

        // The same content again: archive it without retraining, unless asked to.
        if pipeline.onDuplicate == .skip,
           let earlier = try ledger.processedDrop(pipeline: pipeline.name, sha256: dropSHA256, excluding: dropId) {
            let reason = "duplicate of drop \(earlier) (same sha256 \(dropSHA256.prefix(12))…); not retrained (on_duplicate: skip)"
            try skipStages(from: 0, reason: "duplicate drop")
            return try archiveDrop(kind: .duplicate, reason: reason, archive: nil, version: nil)
        }

        // The training window: this drop, and earlier archived ones when configured.
        table = try trainingWindow(newest: table)

        // The split, fixed before any stage runs.
        let strata = HoldoutSplit.strata(for: table, target: pipeline.target)
        let roles = HoldoutSplit.roles(strata: strata, fraction: pipeline.holdoutFraction, seed: pipeline.seed)
        let settings: [String: String] = [
            "pipeline": pipeline.name, "task": pipeline.task.rawValue, "target": pipeline.target,
            "seed": String(pipeline.seed), "drop_name": claim.fileName, "drop_sha256": dropSHA256,
            "run_id": claim.runKey, "holdout_fraction": String(pipeline.holdoutFraction),
        ]
        // The host holds the only reference to the drop's columns from here on, so
        // the memory of those a stage replaces is reused (see MemoryReuse).
        let host = StageHost(table: consume table, roles: roles, settings: settings)
        // What validate compares with: the pinned schema, the champion's training profile.
        if let explicit = pipeline.schema {
            host.putArtifact("reference/schema.json", Array(try ExplicitSchemaProfile.json(explicit).utf8))
        } else if let pinned = try ledger.pinnedSchema(pipeline: pipeline.name) {
            host.putArtifact("reference/schema.json", Array(pinned.profile.utf8))
        }
        let championDrop = try ledger.championDrop(pipeline: pipeline.name)
        if let championDrop, let profile = try ledger.profile(dropId: championDrop) {
            host.putArtifact("reference/profile.json", Array(profile.utf8))
        }
        let observer = StageLogObserver(logger: logger, prefix: prefix, onProgress: executor.onProgress)
        let stages = executor.catalog.stages[pipeline.name] ?? []

        // What needs the drop's own columns is done before any stage can replace
        // them: the champion is re-scored on them (for evaluate) and the schema
        // the archive will carry is taken.
        if stages.contains(where: { $0.plugin.kind == .evaluate }) {
            try scoreChampion(on: host.table, into: host)
        }
        let schema = try ModelPublisher.schema(of: host.table, target: pipeline.target)

        // Stages.
        var approvals: [String] = []
        var rejection: (stage: String, reason: String)?
        var championWaiver: String?
        for (index, resolved) in stages.enumerated() {
            let name = resolved.configuration.name
            var params = resolved.configuration.params
            if resolved.plugin.kind == .evaluate {
                params.merge(pipeline.promotion.asParams) { stage, _ in stage }
                if let waiver = championWaiver {
                    // drift_policy retrain: the champion was trained on data that has moved away.
                    params = params.filter { !$0.key.hasPrefix("champion.") }
                    try event(.warning, "champion.waived", "champion comparison waived: \(waiver)")
                }
            }
            let stageId = try ledger.startStage(runId: runId, position: index + 1, stage: name,
                                                kind: resolved.plugin.kind.description, plugin: resolved.identity)
            observer.stage = name
            executor.onProgress?(name, 0, "starting")
            let result = host.run(resolved.plugin, params: params, observer: observer)
            for metric in result.metrics {
                try ledger.recordMetric(runId: runId, stageRunId: stageId, name: metric.name, value: metric.value)
                metrics[name, default: [:]][metric.name] = metric.value
            }
            stageRecords.append(Manifest.Plugin(stage: name, name: resolved.plugin.name, version: resolved.plugin.version,
                                                kind: resolved.plugin.kind.description,
                                                file: FileSystem.baseName(resolved.plugin.path),
                                                sha256: resolved.plugin.sha256, params: params,
                                                durationMs: result.durationMs))
            let padded = name.padding(toLength: max(name.count, 10), withPad: " ", startingAt: 0)
            if case .failed(let message) = result.status {
                try ledger.finishStage(id: stageId, status: .failed, message: message, durationMs: result.durationMs)
                try event(.error, "stage.failed",
                          "stage \(padded) FAILED \(Self.milliseconds(result.durationMs))  \(message)")
                try skipStages(from: index + 1, reason: "stage \(name) failed")
                return try quarantine(reason: "stage \(name) (plugin \(resolved.plugin.name) \(resolved.plugin.version)) failed: \(message)",
                                      stage: name)
            }
            let verdictText: String? = switch result.verdict {
            case .approve(let reason)?: "approved: \(reason)"
            case .reject(let reason)?: "rejected: \(reason)"
            case nil: nil
            }
            try ledger.finishStage(id: stageId, status: .succeeded, message: verdictText, durationMs: result.durationMs)
            if resolved.plugin.kind == .evaluate, let bytes = host.artifact("gate.json") {
                do {
                    let gate = try GateRecord.decode(bytes)
                    try ledger.recordGateRules(runId: runId, stageRunId: stageId, rules: gate.rules)
                } catch {
                    try event(.warning, "gate.unreadable", "gate.json from \(name) could not be read: \(error)")
                }
            }
            var findingLines: [String] = []
            if resolved.plugin.kind == .validate, resolved.configuration.params["drift_policy"] == "retrain",
               let share = result.metrics.first(where: { $0.name == "drift.share" })?.value, share > 0,
               share >= Double(resolved.configuration.params["max_drifted_share"] ?? "") ?? 0.3 {
                championWaiver = "\(String(format: "%.0f", share * 100))% of features drifted from the champion's "
                    + "training data (drift_policy retrain): the new model needs only the absolute rules"
            }
            if resolved.plugin.kind == .validate {
                findingLines = try recordValidation(host: host, stage: name, stageId: stageId, championDrop: championDrop,
                                                    passed: { if case .reject? = result.verdict { false } else { true } }())
            }
            let shown = result.metrics.filter { !$0.name.hasPrefix("nulls.") }.prefix(4)
                .map { "\($0.name) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")
            try event(.info, "stage.finished", "stage \(padded) ok  \(Self.milliseconds(result.durationMs))  \(shown)")
            switch result.verdict {
            case .reject(let reason)? where resolved.plugin.kind == .validate:
                try skipStages(from: index + 1, reason: "\(name) rejected the drop")
                // One finding per line of the .reason file (its writer lists "; "-separated parts).
                let listed = findingLines.isEmpty ? reason : findingLines.joined(separator: "; ")
                return try quarantine(reason: "\(name) rejected the drop: \(listed)", stage: name)
            case .reject(let reason)?:
                rejection = (name, reason)
            case .approve(let reason)?:
                approvals.append(reason)
            case nil:
                break
            }
            if rejection != nil {
                try skipStages(from: index + 1, reason: "\(name) rejected the model")
                break
            }
        }

        // Decision.
        let decision: Decision
        let reasons: String
        if let rejection {
            decision = .rejected
            reasons = "\(rejection.stage): \(rejection.reason)"
        } else if !approvals.isEmpty {
            decision = .approved
            reasons = (approvals + (championWaiver.map { ["champion comparison waived: \($0)"] } ?? [])).joined(separator: "; ")
        } else {
            decision = .rejected
            reasons = "no stage gave a verdict (add an evaluate stage); a model is published only when approved"
        }
        try event(decision == .approved ? .info : .warning, "model.decided", "decision   \(decision.rawValue): \(reasons)")

        guard decision == .approved else {
            _ = try ledger.recordModel(runId: runId, pipeline: pipeline.name, version: nil, decision: .rejected,
                                       reasons: reasons, archivePath: nil, archiveSHA256: nil)
            return try archiveDrop(kind: .rejected, reason: "model rejected: \(reasons)", archive: nil, version: nil)
        }

        // Publish.
        let version = try ledger.nextModelVersion(pipeline: pipeline.name)
        let published: ModelPublisher.Published
        do {
            var manifest = Manifest(
                sluiceVersion: SluiceVersion.current, pipeline: pipeline.name, version: version,
                task: pipeline.task.rawValue, target: pipeline.target, seed: pipeline.seed,
                holdoutFraction: pipeline.holdoutFraction, createdAt: Timestamp.now(),
                run: .init(id: runId, key: claim.runKey, startedAt: startedAt, finishedAt: Timestamp.now()),
                drop: .init(file: claim.fileName, sha256: dropSHA256, sizeBytes: dropSize, rows: dropRows,
                            receivedAt: claim.receivedAt),
                config: .init(file: executor.configuration.file, sha256: executor.configuration.sha256),
                plugins: stageRecords, metrics: metrics, decision: decision.rawValue, reasons: reasons, files: [:])
            // The schema in force (pinned now if this is the pipeline's first approved drop).
            if let explicit = pipeline.schema {
                let text = try ExplicitSchemaProfile.json(explicit)
                if try ledger.pinnedSchema(pipeline: pipeline.name)?.profile != text {
                    try ledger.pinSchema(pipeline: pipeline.name, source: "config", dropId: nil, profile: text)
                    try event(.info, "schema.pinned", "schema from the config recorded (it wins over a pinned one)")
                }
            } else if try ledger.pinnedSchema(pipeline: pipeline.name) == nil, let profile = host.artifact("profile.json") {
                try ledger.pinSchema(pipeline: pipeline.name, source: "pinned", dropId: dropId,
                                     profile: String(decoding: profile, as: UTF8.self))
                try event(.info, "schema.pinned", "schema pinned from this drop (the pipeline's first approved one)")
            }
            var artifacts = host.artifactNames.filter { !$0.hasPrefix("champion/") && !$0.hasPrefix("reference/") }
                .map { ($0, host.artifact($0) ?? []) }
            if let pinned = try ledger.pinnedSchema(pipeline: pipeline.name) {
                artifacts.append(("schema/pinned.json", Array(pinned.profile.utf8)))
            }
            let members = try ModelPublisher.members(
                manifest: &manifest, artifacts: artifacts,
                schema: schema,
                configText: (try? FileSystem.read(executor.configuration.file)) ?? [],
                card: ModelPublisher.card(manifest))
            published = try ModelPublisher.publish(members, pipeline: pipeline.name, version: version,
                                                   configuration: executor.configuration)
        } catch {
            try event(.error, "model.publish_failed", "publishing v\(version) failed: \(error)")
            _ = try ledger.recordModel(runId: runId, pipeline: pipeline.name, version: nil, decision: .rejected,
                                       reasons: "approved, but publishing failed: \(error)", archivePath: nil,
                                       archiveSHA256: nil)
            return try quarantine(reason: "publishing the approved model failed: \(error)", stage: "publish")
        }
        let modelId = try ledger.recordModel(runId: runId, pipeline: pipeline.name, version: version, decision: .approved,
                                             reasons: reasons, archivePath: published.path,
                                             archiveSHA256: published.sha256)
        try ledger.recordPromotion(pipeline: pipeline.name, modelId: modelId, action: "promote",
                                   reason: "v\(version) approved: \(reasons)")
        try event(.info, "model.published",
                  "published  \(executor.display(published.path)) (current → v\(version))")
        return try archiveDrop(kind: .approved, reason: "model v\(version) approved and published",
                               archive: published.path, version: version)
    }

    /// Re-scores the model in service on this drop's raw rows, for the
    /// evaluate stage's champion comparison: its scores become the artifact
    /// `champion/scores.f64` (little-endian Doubles, `width` per row: see
    /// ``Predictor/scores(_:table:)``) and `champion/info.json` says which
    /// version, the width and classes (or why it could not score). Nothing when there is no champion yet. These artifacts are not
    /// published.
    func scoreChampion(on table: Table, into host: StageHost) throws {
        guard let champion = try ledger.currentModel(pipeline: pipeline.name), let version = champion.version,
              let archive = champion.archivePath else { return }
        func info(_ error: String?, _ model: LinearModel? = nil) throws -> [UInt8] {
            try ChampionInfo(version: version, archive: archive, error: error, width: model?.width,
                             classes: model?.classes).encoded()
        }
        do {
            let bundle = try ModelBundle.load(archive)
            guard bundle.model.task == pipeline.task.rawValue else {
                throw PredictError("it is a \(bundle.model.task) model and the pipeline's task is \(pipeline.task.rawValue)")
            }
            let scores = try Predictor.scores(bundle, table: table)
            var bytes = [UInt8]()
            bytes.reserveCapacity(scores.count * 8)
            for p in scores { withUnsafeBytes(of: p.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            host.putArtifact("champion/scores.f64", bytes)
            host.putArtifact("champion/info.json", try info(nil, bundle.model))
            try event(.info, "champion.scored", "champion v\(version) re-scored on this drop for comparison")
        } catch {
            host.putArtifact("champion/info.json", try info("\(error)"))
            try event(.warning, "champion.unscorable", "champion v\(version) cannot score this drop: \(error)")
        }
    }

    /// Records the stages after `index` as skipped.
    func skipStages(from index: Int, reason: String) throws {
        let stages = executor.catalog.stages[pipeline.name] ?? []
        guard index < stages.count else { return }
        for (offset, resolved) in stages[index...].enumerated() {
            let id = try ledger.startStage(runId: runId, position: index + offset + 1, stage: resolved.configuration.name,
                                           kind: resolved.plugin.kind.description, plugin: resolved.identity)
            try ledger.finishStage(id: id, status: .skipped, message: reason, durationMs: 0)
        }
    }

    /// How drops of this pipeline are read: its `limits` on size, rows and field length.
    var csvOptions: CSVOptions {
        CSVOptions(maxFieldLength: pipeline.limits.maxFieldBytes, maxRows: pipeline.limits.maxRows,
                   maxBytes: Int64(pipeline.limits.maxDropBytes))
    }

    /// This drop's table stacked with the earlier archived drops the pipeline's
    /// `window` takes in (newest first); records every input in `run_inputs`.
    /// An earlier drop that cannot be read or has other columns is left out with a warning.
    func trainingWindow(newest: Table) throws -> Table {
        var inputs: [(dropId: Int64, rows: Int)] = [(dropId, newest.rowCount)]
        let limit: Int?, since: String?
        switch pipeline.window {
        case .latest:
            try ledger.recordRunInputs(runId: runId, inputs: inputs)
            return newest
        case .drops(let count): limit = count - 1; since = nil
        case .days(let days): limit = nil; since = Timestamp.iso8601(seconds: Timestamp.unixNow() - days * 86_400)
        }
        var tables = [newest]
        if limit != 0 {
            for old in try ledger.windowDrops(pipeline: pipeline.name, before: dropId, limit: limit, since: since) {
                do {
                    let read = try DropFile.read(old.path, displayName: old.fileName, options: csvOptions)
                    if let problem = newest.incompatibility(with: read.table) {
                        try event(.warning, "window.skipped", "training window: drop \(old.id) (\(old.fileName)) left out: \(problem)")
                        continue
                    }
                    tables.append(read.table)
                    inputs.append((old.id, read.table.rowCount))
                } catch {
                    try event(.warning, "window.skipped",
                              "training window: drop \(old.id) (\(old.fileName)) could not be read from \(old.path): \(error)")
                }
            }
        }
        try ledger.recordRunInputs(runId: runId, inputs: inputs)
        guard tables.count > 1 else { return newest }
        let stacked = Table.stacked(tables)
        try event(.info, "window", "training window: \(tables.count) drops, \(stacked.rowCount) rows "
                  + "(drops \(inputs.map { String($0.dropId) }.joined(separator: ", ")))")
        return stacked
    }

    /// Stores what a validate stage found: findings (one ledger row each), drift
    /// scores, and the drop's profile when it passed. Returns the findings as
    /// lines for the quarantine reason.
    func recordValidation(host: StageHost, stage: String, stageId: Int64, championDrop: Int64?,
                          passed: Bool) throws -> [String] {
        var lines: [String] = []
        if let bytes = host.artifact("findings.json") {
            do {
                let findings = try Finding.decodeList(bytes)
                try ledger.recordFindings(runId: runId, stageRunId: stageId, findings: findings)
                lines = findings.sorted { ($0.severity == "error" ? 0 : 1) < ($1.severity == "error" ? 0 : 1) }
                    .map(ValidationArtifacts.line)
            } catch {
                try event(.warning, "findings.unreadable", "findings.json from \(stage) could not be read: \(error)")
            }
        }
        if let bytes = host.artifact("drift.json") {
            do {
                let drift = try DriftReport.decode(bytes)
                try ledger.recordDrift(runId: runId, dropId: dropId, referenceDropId: championDrop, scores: drift.scores)
            } catch {
                try event(.warning, "drift.unreadable", "drift.json from \(stage) could not be read: \(error)")
            }
        }
        if passed, let profile = host.artifact("profile.json") {
            try ledger.recordProfile(dropId: dropId, runId: runId, profile: String(decoding: profile, as: UTF8.self))
        }
        return lines
    }

    func quarantine(reason: String, stage: String) throws -> RunOutcome {
        let destination = try DropDisposition.quarantine(claim, reason: reason, details: [
            ("sha256", sha256.isEmpty ? "unknown" : sha256), ("stage", stage), ("run id", String(runId)),
            ("at", Timestamp.now()),
        ], configuration: executor.configuration)
        try ledger.finishDrop(id: dropId, outcome: .quarantined, reason: reason, finalPath: destination)
        let duration = (Timestamp.monotonic() - started) * 1000
        try ledger.finishRun(id: runId, status: .failed, message: reason, durationMs: duration)
        try event(.warning, "drop.quarantined", "quarantined → \(executor.display(destination)) (reason in .reason)")
        return RunOutcome(kind: .quarantined, runId: runId, dropId: dropId, reason: reason, dropPath: destination,
                          archivePath: nil, version: nil)
    }

    func archiveDrop(kind: RunOutcome.Kind, reason: String, archive: String?, version: Int?) throws -> RunOutcome {
        let destination = try DropDisposition.archive(claim, sha256: sha256, configuration: executor.configuration)
        try ledger.finishDrop(id: dropId, outcome: .archived, reason: reason, finalPath: destination)
        let duration = (Timestamp.monotonic() - started) * 1000
        let status: RunStatus = switch kind {
        case .approved: .approved
        case .duplicate: .duplicate
        default: .rejected
        }
        try ledger.finishRun(id: runId, status: status, message: reason, durationMs: duration)
        try event(.info, "drop.archived",
                  "drop archived → \(executor.display(destination)) (run took \(Self.milliseconds(duration)))")
        return RunOutcome(kind: kind, runId: runId, dropId: dropId, reason: reason, dropPath: destination,
                          archivePath: archive, version: version)
    }
}

/// Passes what plugins log to the run's log; progress goes to debug, at most
/// twice a second per stage.
final class StageLogObserver: StageObserver {
    let logger: Logger
    let prefix: String
    let onProgress: ((String, Double, String) -> Void)?
    var stage = ""
    private var lastProgress = 0.0

    init(logger: Logger, prefix: String, onProgress: ((String, Double, String) -> Void)?) {
        self.logger = logger
        self.prefix = prefix
        self.onProgress = onProgress
    }

    func stageLogged(level: Int32, message: String) {
        let line = "\(prefix) \(stage): \(message)"
        switch level {
        case ...3: logger.error("\(line)")
        case 4: logger.warning("\(line)")
        case 5, 6: logger.info("\(line)")
        default: logger.debug("\(line)")
        }
    }

    func stageProgressed(fraction: Double, text: String) {
        let now = Timestamp.monotonic()
        guard now - lastProgress >= 0.5 || fraction >= 1 else { return }
        lastProgress = now
        onProgress?(stage, fraction, text)
        logger.debug("\(prefix) \(stage): \(Int(fraction * 100))% \(text)")
    }
}

