import Foundation
import Logging
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluicePluginHost
import SluiceSystem

/// What a worker holds before it runs a drop: the configuration the daemon
/// validated, one pipeline's plugins (loaded after its resource limits are
/// set) and the ledger. A one-run worker makes one for its run; a lane
/// worker (``LaneWorker``) makes one and serves many runs with it.
struct PreparedPipeline {
    let configuration: SluiceConfiguration
    let pipeline: PipelineConfiguration
    let catalog: StageCatalog
    let ledger: SQLLedger
    let logger: Logger

    init(configuration: SluiceConfiguration, pipeline: PipelineConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.pipeline = pipeline
        self.logger = logger
        // Only this pipeline's plugins: another pipeline's broken plugin is not this run's concern.
        catalog = try StageCatalog(configuration: configuration, loader: PluginLoader(cachingHashesIn: configuration.stateDirectory), only: pipeline.name)
        ledger = try SQLLedger.open(configuration.ledgerLocation)
    }

    /// Runs one claimed drop of this pipeline, reporting progress on stdout.
    func run(_ claim: DropClaim, dropId: Int64?, runKey: String?) throws {
        switch claim.kind {
        case .train:
            let executor = RunExecutor(configuration: configuration, ledger: ledger, catalog: catalog, logger: logger)
            executor.onProgress = { stage, fraction, text in
                let clean = text.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
                FileSystem.writeStandardOutput("progress\t\(stage)\t\(fraction)\t\(clean)\n")
            }
            _ = try executor.execute(claim, pipeline: pipeline, dropId: dropId, runKey: runKey)
        case .score:
            _ = try ScoringRun(configuration: configuration, ledger: ledger, logger: logger)
                .execute(claim, pipeline: pipeline, runKey: runKey)
        case .labels:
            _ = try LabelsRun(configuration: configuration, ledger: ledger, logger: logger).execute(claim, pipeline: pipeline)
        }
    }
}
