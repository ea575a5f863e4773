import Logging
import SluiceConfig
import SluiceLedger
import SluicePluginHost
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// `sluice serve --once`: for each pipeline, claim every drop waiting in its
/// inbox and run it to the end, then return. The daemon (a later part) feeds
/// the same ``DropClaim`` → ``RunExecutor`` path from inotify.
public struct OneShotServe {
    public struct Summary: Sendable {
        public var outcomes: [RunOutcome] = []
        /// Scoring drops (approved = scored) and labels drops.
        public var scored: [RunOutcome] = []
        public var labelled: [RunOutcome] = []
        public var approved: Int { outcomes.filter { $0.kind == .approved }.count }
        public var rejected: Int { outcomes.filter { $0.kind == .rejected }.count }
        public var quarantined: Int { outcomes.filter { $0.kind == .quarantined }.count }
    }

    let configuration: SluiceConfiguration
    let ledger: any Ledger
    let catalog: StageCatalog
    let logger: Logger

    public init(configuration: SluiceConfiguration, ledger: any Ledger, catalog: StageCatalog, logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.catalog = catalog
        self.logger = logger
    }

    /// Creates the state folders and every pipeline's inbox.
    public static func prepareFolders(_ configuration: SluiceConfiguration) throws {
        try FileSystem.createDirectory(configuration.workDirectory)
        for pipeline in configuration.pipelines {
            try FileSystem.createDirectory(pipeline.inbox)
            try FileSystem.createDirectory(configuration.archiveDirectory(pipeline.name))
            try FileSystem.createDirectory(configuration.quarantineDirectory(pipeline.name))
            try FileSystem.createDirectory(configuration.outboxDirectory(pipeline.name))
            for inbox in [pipeline.monitoring.scoringInbox, pipeline.monitoring.labelsInbox].compactMap({ $0 }) {
                try FileSystem.createDirectory(inbox)
            }
        }
    }

    /// Processes every waiting drop of every pipeline (or only `only`).
    public func run(only: String? = nil) throws -> Summary {
        var summary = Summary()
        let executor = RunExecutor(configuration: configuration, ledger: ledger, catalog: catalog, logger: logger)
        for pipeline in configuration.pipelines where only == nil || pipeline.name == only {
            let drops = try InboxScanner.scan(pipeline.inbox)
            logger.info("[\(pipeline.name)] \(drops.count) drop\(drops.count == 1 ? "" : "s") waiting in \(pipeline.inbox)")
            try forEachClaim(drops, pipeline: pipeline, kind: .train) { claim in
                summary.outcomes.append(try executor.execute(claim, pipeline: pipeline))
            }
            // Then what to score with the (possibly new) model in service, then the labels for it.
            if let inbox = pipeline.monitoring.scoringInbox {
                let scoring = ScoringRun(configuration: configuration, ledger: ledger, logger: logger)
                try forEachClaim(try InboxScanner.scan(inbox), pipeline: pipeline, kind: .score) { claim in
                    summary.scored.append(try scoring.execute(claim, pipeline: pipeline))
                }
            }
            if let inbox = pipeline.monitoring.labelsInbox {
                let labels = LabelsRun(configuration: configuration, ledger: ledger, logger: logger)
                try forEachClaim(try InboxScanner.scan(inbox), pipeline: pipeline, kind: .labels) { claim in
                    summary.labelled.append(try labels.execute(claim, pipeline: pipeline))
                }
            }
        }
        return summary
    }

    /// Claims each path in turn and runs `body` on it (one another process took first is skipped).
    private func forEachClaim(_ paths: [String], pipeline: PipelineConfiguration, kind: DropKind,
                              _ body: (DropClaim) throws -> Void) throws {
        var warnedFolders = Set<String>()   // one run: each folder is warned about once anyway
        for path in paths {
            guard InboxRefusal.admit(path, pipeline: pipeline.name, kind: kind, warnedFolders: &warnedFolders,
                                     configuration: configuration, ledger: ledger, logger: logger) else { continue }
            let claim: DropClaim
            // With a shared ledger the claim is a row first, as the daemons' are
            // (docs/scale.md): a drop another host holds is left to it.
            let key = DropClaim.newKey(pipeline: pipeline.name, kind: kind)
            let shared = configuration.sharedLedger
            do {
                if shared {
                    guard try ledger.takeClaim(pipeline: pipeline.name, kind: kind.rawValue,
                                               identity: try DropClaim.identity(of: path), inboxPath: path, claimKey: key,
                                               host: configuration.host, leaseSeconds: configuration.leaseSeconds) else {
                        logger.info("[\(pipeline.name)] \(FileSystem.baseName(path)) is claimed by another host")
                        continue
                    }
                }
                claim = try DropClaim.claim(path, pipeline: pipeline.name, workRoot: configuration.workDirectory, kind: kind,
                                            runKey: key)
            } catch let error as SystemError where error.code == ENOENT {
                if shared { try ledger.removeClaim(claimKey: key, host: configuration.host) }
                logger.info("[\(pipeline.name)] \(FileSystem.baseName(path)) was claimed by someone else")
                continue
            }
            try body(claim)
            if shared { try ledger.finishClaims(claimKeys: [key], host: configuration.host) }
        }
    }
}
