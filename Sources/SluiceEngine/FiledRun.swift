import Logging
import SluiceConfig
import SluiceLedger
import SluiceSystem

/// A run that ended (a crash) after its drop left the work folder — filed in
/// archive/ or quarantine/ — but before the ledger said so: its drop row
/// still `claimed`, or its run still `running`. Recovery finds where the drop
/// is and completes both rows from what the ledger and the folders say,
/// instead of leaving them so for ever.
enum FiledRun {
    /// True when `run` was such a run and is now settled.
    static func settle(_ run: RunRef, configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) throws -> Bool {
        guard let drop = try ledger.drop(id: run.dropId) else { return false }
        let model = try ledger.model(runId: run.id)
        let claimKey = FileSystem.baseName(run.workDirectory)
        var place = drop.finalPath.flatMap { FileSystem.exists($0) ? $0 : nil }
        var outcome = drop.outcome
        if place == nil, let sha = drop.sha256 {
            let archived = configuration.archiveDirectory(run.pipeline) + "/" + sha + DropDisposition.extensionOf(drop.fileName)
            if FileSystem.exists(archived) { (place, outcome) = (archived, .archived) }
        }
        if place == nil {
            let name = DropDisposition.fitted("\(claimKey)-\(drop.fileName)", reserve: ".reason".utf8.count)
            let quarantined = configuration.quarantineDirectory(run.pipeline) + "/" + name
            if FileSystem.exists(quarantined) { (place, outcome) = (quarantined, .quarantined) }
        }
        guard let place else { return false }
        let status: RunStatus, reason: String
        switch (outcome, model) {
        case (.archived, let model?) where model.publication == "published":
            (status, reason) = (.approved, "model v\(model.version.map(String.init) ?? "?") approved and published")
        case (.archived, let model?) where model.decision == .rejected:
            (status, reason) = (.rejected, "model rejected: \(model.reasons)")
        case (.archived, _):
            (status, reason) = (.rejected, drop.outcomeReason ?? "archived")
        default:
            (status, reason) = (.failed, drop.outcomeReason ?? "quarantined (reason in \(FileSystem.baseName(place)).reason)")
        }
        if drop.outcome == .claimed {
            try ledger.finishDrop(id: drop.id, outcome: outcome == .claimed ? .archived : outcome, reason: reason, finalPath: place)
        }
        try ledger.failRunningStages(runId: run.id, message: "the run ended while filing its drop")
        try ledger.finishRun(id: run.id, status: status, message: reason, durationMs: 0)
        let message = "run \(run.id) ended while filing its drop (in \(place)); its ledger rows are completed: \(reason)"
        try ledger.recordEvent(level: .warning, kind: "run.settled", pipeline: run.pipeline, dropId: drop.id, runId: run.id,
                               message: message)
        logger.warning("[\(run.pipeline) \(drop.fileName)] \(message)")
        return true
    }
}
