import Foundation
import SluiceFormats
import SluiceLedger
import SluicePluginHost
import SluiceSystem

/// Runs the pipeline's stage plugins in order on the run's table, recording
/// each stage run, its metrics, findings, drift and gate rules, and stopping
/// at the first failure or rejection.
struct StageSequence {
    enum Result {
        /// The stages ran; the decision is made from these.
        case completed(verdicts: [PromotionDecision.Verdict], championWaiver: String?, plugins: [Manifest.Plugin],
                       metrics: [String: [String: Double]])
        /// A stage failed, or validate rejected the drop: quarantine it.
        case quarantine(reason: String, stage: String)
    }

    let run: RunContext
    let references: References

    func perform(on host: StageHost) throws -> Result {
        let disposition = RunDisposition(run: run)
        let observer = StageLogObserver(logger: run.logger, prefix: run.prefix, onProgress: run.onProgress)
        var verdicts: [PromotionDecision.Verdict] = []
        var championWaiver: String? = run.monitorWaiver
        var plugins: [Manifest.Plugin] = []
        var metrics: [String: [String: Double]] = [:]
        for (index, resolved) in run.stages.enumerated() {
            let name = resolved.configuration.name
            let params = try parameters(for: resolved, waiver: championWaiver)
            let stageId = try run.ledger.startStage(runId: run.runId, position: index + 1, stage: name,
                                                    kind: resolved.plugin.kind.description, plugin: resolved.identity)
            observer.stage = name
            run.onProgress?(name, 0, "starting")
            let result = host.run(resolved.plugin, params: params, observer: observer)
            try run.ledger.recordMetrics(runId: run.runId, stageRunId: stageId,
                                         metrics: result.metrics.map { ($0.name, $0.value) })
            for metric in result.metrics { metrics[name, default: [:]][metric.name] = metric.value }
            plugins.append(Manifest.Plugin(stage: name, name: resolved.plugin.name, version: resolved.plugin.version,
                                           kind: resolved.plugin.kind.description,
                                           file: FileSystem.baseName(resolved.plugin.path),
                                           sha256: resolved.plugin.sha256, params: params, durationMs: result.durationMs,
                                           applies: resolved.plugin.applies ? true : nil))
            let padded = name.padding(toLength: max(name.count, 10), withPad: " ", startingAt: 0)
            if case .failed(let message) = result.status {
                try run.ledger.finishStage(id: stageId, status: .failed, message: message, durationMs: result.durationMs)
                try run.event(.error, "stage.failed",
                              "stage \(padded) FAILED \(RunContext.milliseconds(result.durationMs))  \(message)")
                try disposition.skipStages(from: index + 1, reason: "stage \(name) failed")
                return .quarantine(reason: "stage \(name) (plugin \(resolved.plugin.name) \(resolved.plugin.version)) failed: \(message)",
                                   stage: name)
            }
            let verdictText: String? = switch result.verdict {
            case .approve(let reason)?: "approved: \(reason)"
            case .reject(let reason)?: "rejected: \(reason)"
            case nil: nil
            }
            try run.ledger.finishStage(id: stageId, status: .succeeded, message: verdictText, durationMs: result.durationMs)
            var findingLines: [String] = []
            switch resolved.plugin.kind {
            case .evaluate: try recordGate(host: host, stage: name, stageId: stageId)
            case .validate:
                let passed = if case .reject? = result.verdict { false } else { true }
                let recorded = try recordValidation(host: host, stage: name, stageId: stageId, passed: passed)
                findingLines = recorded.lines
                championWaiver = championWaiver ?? PromotionDecision.championWaiver(drift: recorded.drift)
            default: break
            }
            let shown = result.metrics.filter { !$0.name.hasPrefix("nulls.") }.prefix(4)
                .map { "\($0.name) \(HumanNumber.format($0.value))" }.joined(separator: ", ")
            try run.event(.info, "stage.finished", "stage \(padded) ok  \(RunContext.milliseconds(result.durationMs))  \(shown)")
            if index == 0 { CrashPoint.firstStage.reach() }
            switch result.verdict {
            case .reject(let reason)? where resolved.plugin.kind == .validate:
                try disposition.skipStages(from: index + 1, reason: "\(name) rejected the drop")
                // One finding per line of the .reason file (its writer lists "; "-separated parts).
                let listed = findingLines.isEmpty ? reason : findingLines.joined(separator: "; ")
                return .quarantine(reason: "\(name) rejected the drop: \(listed)", stage: name)
            case .reject(let reason)?:
                verdicts.append(.init(stage: name, approved: false, reason: reason))
                try disposition.skipStages(from: index + 1, reason: "\(name) rejected the model")
                return .completed(verdicts: verdicts, championWaiver: championWaiver, plugins: plugins, metrics: metrics)
            case .approve(let reason)?:
                verdicts.append(.init(stage: name, approved: true, reason: reason))
            case nil:
                break
            }
        }
        return .completed(verdicts: verdicts, championWaiver: championWaiver, plugins: plugins, metrics: metrics)
    }

    /// The stage's parameters; an evaluate stage also gets the pipeline's
    /// promotion rules, without the champion comparison when drift waived it.
    func parameters(for resolved: StageCatalog.ResolvedStage, waiver: String?) throws -> [String: String] {
        var params = resolved.configuration.params
        guard resolved.plugin.kind == .evaluate else { return params }
        params.merge(run.pipeline.promotion.asParams) { stage, _ in stage }
        if let waiver {
            params = params.filter { !$0.key.hasPrefix("champion.") }
            try run.event(.warning, "champion.waived", "champion comparison waived: \(waiver)")
        }
        return params
    }

    func recordGate(host: StageHost, stage: String, stageId: Int64) throws {
        guard let bytes = host.artifact("gate.json") else { return }
        do {
            let gate = try GateRecord.decode(bytes)
            try run.ledger.recordGateRules(runId: run.runId, stageRunId: stageId, rules: gate.rules)
        } catch let error as FormatError {
            try run.event(.warning, "gate.unreadable", "gate.json from \(stage) could not be read: \(error)")
        }
    }

    /// Stores what a validate stage found: findings (one ledger row each),
    /// drift scores, and the drop's profile when it passed. Returns the
    /// findings as lines for the quarantine reason, and the drift report.
    func recordValidation(host: StageHost, stage: String, stageId: Int64,
                          passed: Bool) throws -> (lines: [String], drift: DriftReport?) {
        var lines: [String] = []
        if let bytes = host.artifact("findings.json") {
            do {
                let findings = try Finding.decodeList(bytes)
                try run.ledger.recordFindings(runId: run.runId, stageRunId: stageId, findings: findings)
                lines = findings.sorted { ($0.severity == "error" ? 0 : 1) < ($1.severity == "error" ? 0 : 1) }
                    .map(ValidationArtifacts.line)
            } catch let error as FormatError {
                try run.event(.warning, "findings.unreadable", "findings.json from \(stage) could not be read: \(error)")
            }
        }
        var drift: DriftReport?
        if let bytes = host.artifact("drift.json") {
            do {
                drift = try DriftReport.decode(bytes)
                try run.ledger.recordDrift(runId: run.runId, dropId: run.dropId, referenceDropId: references.championDrop,
                                           scores: drift?.scores ?? [])
            } catch let error as FormatError {
                try run.event(.warning, "drift.unreadable", "drift.json from \(stage) could not be read: \(error)")
            }
        }
        if passed, let profile = host.artifact("profile.json") {
            try run.ledger.recordProfile(dropId: run.dropId, runId: run.runId, profile: String(decoding: profile, as: UTF8.self))
        }
        return (lines, drift)
    }
}
