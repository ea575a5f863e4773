import Foundation
import SluiceConfig
import SluiceData
import SluiceFormats
import SluiceLedger
import SluicePluginHost
import SluicePredict
import SluiceSystem

/// What a run compares with, handed to the stages as artifacts before any of
/// them runs: the pinned schema (`reference/schema.json`: the config's
/// `schema:` or the first approved drop's profile), the champion's training
/// profile (`reference/profile.json`), and the champion re-scored on this
/// drop's raw rows (`champion/scores.f64` + `champion/info.json`, for
/// evaluate). `sluice inspect` uses the same setup. None of these are published.
public struct References {
    let pipeline: PipelineConfiguration
    let ledger: any Ledger
    /// The drop the champion was trained on, when there is a champion.
    private(set) var championDrop: Int64?
    /// The model in service when the run started: what it is compared against.
    let champion: ModelRow?
    /// Where the champion's applying plugins are looked up (``FittedStages``).
    let searchPath: [String]

    public init(pipeline: PipelineConfiguration, ledger: any Ledger,
                searchPath: [String] = PluginLoader.defaultSearchPath()) throws {
        self.pipeline = pipeline
        self.ledger = ledger
        self.searchPath = searchPath
        champion = try ledger.currentModel(pipeline: pipeline.name)
        championDrop = try ledger.championDrop(pipeline: pipeline.name)
    }

    /// The champion as an input of the model's identity.
    var championInput: ModelIdentity.Champion? {
        guard let champion, let version = champion.version else { return nil }
        return ModelIdentity.Champion(version: version,
                                      identity: champion.identity ?? "archive sha256 \(champion.archiveSha256 ?? "?")")
    }

    /// Puts the schema and profile references into `host`; returns what
    /// they are, in words (for `sluice inspect`).
    @discardableResult
    public func putSchemaAndProfile(into host: StageHost) throws -> String {
        var against = "no pinned schema yet (the pipeline's first approved drop pins it)"
        if let explicit = pipeline.schema {
            host.putArtifact("reference/schema.json", Array(try ExplicitSchemaProfile.json(explicit).utf8))
            against = "the schema: of pipeline \(pipeline.name) in the config"
        } else if let pinned = try ledger.pinnedSchema(pipeline: pipeline.name) {
            host.putArtifact("reference/schema.json", Array(pinned.profile.utf8))
            against = "the schema pinned from drop \(pinned.dropId.map(String.init) ?? "-") (\(pinned.source))"
        }
        if let championDrop, let profile = try ledger.profile(dropId: championDrop) {
            host.putArtifact("reference/profile.json", Array(profile.utf8))
            against += ", drift against the champion's training drop \(championDrop)"
        }
        return against
    }

    /// Re-scores the model in service on `table` into `host`; returns the
    /// event to record (kind, level, message), or nil with no champion.
    func scoreChampion(on table: Table, into host: StageHost) throws -> (EventLevel, String, String)? {
        guard let champion, let version = champion.version, let archive = champion.archivePath else { return nil }
        do {
            let bundle = try ModelBundle.load(archive)
            guard bundle.model.task == pipeline.task.rawValue else {
                throw PredictError("it is a \(bundle.model.task) model and the pipeline's task is \(pipeline.task.rawValue)")
            }
            // Only the holdout rows are scored: the gate compares on them, and
            // the training rows (most of a window) would be paid for in vain.
            // Training rows' scores are NaN; the artifact stays row-aligned.
            let started = Timestamp.monotonic()
            let holdout = host.roles.indices.filter { host.roles[$0] == 1 }
            let width = bundle.model.width
            let scores = try Predictor.scores(bundle, table: table.rows(holdout), searchPath: searchPath)
            var full = [Double](repeating: .nan, count: table.rowCount * width)
            for (index, row) in holdout.enumerated() {
                for o in 0..<width { full[row * width + o] = scores[index * width + o] }
            }
            var bytes = [UInt8]()
            bytes.reserveCapacity(full.count * 8)
            for p in full { withUnsafeBytes(of: p.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            host.putArtifact("champion/scores.f64", bytes, bytesPerRow: 8 * bundle.model.width)
            host.putArtifact("champion/info.json", try ChampionInfo(version: version, archive: archive, error: nil,
                                                                    width: bundle.model.width,
                                                                    classes: bundle.model.classes).encoded())
            return (.info, "champion.scored", "champion v\(version) re-scored on this drop's \(holdout.count) holdout rows for comparison "
                    + "in \(RunContext.milliseconds((Timestamp.monotonic() - started) * 1000))")
        } catch let error as PredictError {
            host.putArtifact("champion/info.json", try ChampionInfo(version: version, archive: archive,
                                                                    error: "\(error)", width: nil, classes: nil).encoded())
            return (.warning, "champion.unscorable", "champion v\(version) cannot score this drop: \(error)")
        }
    }
}
