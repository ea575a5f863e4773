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
        }
    }

    /// Processes every waiting drop of every pipeline (or only `only`).
    public func run(only: String? = nil) throws -> Summary {
        var summary = Summary()
        let executor = RunExecutor(configuration: configuration, ledger: ledger, catalog: catalog, logger: logger)
        for pipeline in configuration.pipelines where only == nil || pipeline.name == only {
            let drops = try InboxScanner.scan(pipeline.inbox)
            logger.info("[\(pipeline.name)] \(drops.count) drop\(drops.count == 1 ? "" : "s") waiting in \(pipeline.inbox)")
            for path in drops {
                let claim: DropClaim
                do {
                    claim = try DropClaim.claim(path, pipeline: pipeline.name, workRoot: configuration.workDirectory)
                } catch let error as SystemError where error.code == ENOENT {
                    logger.info("[\(pipeline.name)] \(FileSystem.baseName(path)) was claimed by someone else")
                    continue
                }
                summary.outcomes.append(try executor.execute(claim, pipeline: pipeline))
            }
        }
        return summary
    }
}
