import SluiceFormats

/// The record of every drop, run, stage, metric, model, promotion and event.
/// ``SQLLedger`` implements it over SQLite (the embedded default) or over a
/// PostgreSQL server several hosts share (docs/scale.md).
/// Implementations are safe to use from several threads and processes.
public protocol Ledger: Sendable {
    // Drops
    func recordDrop(pipeline: String, fileName: String, inboxPath: String,
                    receivedAt: String, claimedAt: String) throws -> Int64
    func describeDrop(id: Int64, sha256: String, sizeBytes: Int64, rows: Int64?) throws
    func finishDrop(id: Int64, outcome: DropOutcome, reason: String, finalPath: String) throws

    // Runs and stages
    func startRun(dropId: Int64, pipeline: String, runKey: String, seed: UInt64,
                  configSHA256: String, workDirectory: String, pid: Int32, host: String?) throws -> Int64
    func finishRun(id: Int64, status: RunStatus, message: String, durationMs: Double) throws
    func startStage(runId: Int64, position: Int, stage: String, kind: String,
                    plugin: PluginIdentity?) throws -> Int64
    func finishStage(id: Int64, status: StageStatus, message: String?, durationMs: Double) throws
    func recordMetric(runId: Int64, stageRunId: Int64?, name: String, value: Double) throws
    /// Records a stage's metrics in one transaction (one round trip to a shared ledger, not one per metric).
    func recordMetrics(runId: Int64, stageRunId: Int64?, metrics: [(name: String, value: Double)]) throws

    // Models
    func recordModel(runId: Int64, pipeline: String, version: Int?, decision: Decision, reasons: String,
                     archivePath: String?, archiveSHA256: String?) throws -> Int64
    /// Reserves the pipeline's next version for an approved model in one
    /// transaction: a model row `publishing` (unique per pipeline and version)
    /// whose archive path is `archivePath(version)`. Two processes never get one version.
    func reservePublication(runId: Int64, pipeline: String, reasons: String,
                            archivePath: (Int) -> String) throws -> PendingPublication
    /// Marks a reservation published, with its archive's hash, and records the
    /// champion change (`action` by `by`: `approve` by `sluice` for a run), in one transaction.
    func completePublication(_ pending: PendingPublication, archiveSHA256: String, reason: String,
                             action: ChampionAction, by: String) throws
    /// Reserves the next version for a rejected model being promoted on
    /// purpose: its row gets the version, `publishing` and `archivePath(version)`.
    /// - Throws: ``LedgerError`` when the model already has a version.
    func reserveForcedPublication(modelId: Int64, pipeline: String, archivePath: (Int) -> String) throws -> PendingPublication
    /// The model row of a run, if it made one.
    func model(runId: Int64) throws -> ModelRow?
    /// Gives a reservation up (its version stays used), appending `reason` to its reasons.
    func abandonPublication(_ pending: PendingPublication, reason: String) throws
    /// Reservations still `publishing` (left by a crash), oldest first; only `runId`'s when given.
    func pendingPublications(runId: Int64?) throws -> [PendingPublication]

    /// Records the rules an evaluate stage checked.
    func recordGateRules(runId: Int64, stageRunId: Int64, rules: [GateRecord.Rule]) throws
    /// The rules checked in a run, in the order checked.
    func gateRules(runId: Int64) throws -> [GateRecord.Rule]

    // Data plane
    func recordFindings(runId: Int64, stageRunId: Int64, findings: [Finding]) throws
    func findings(runId: Int64) throws -> [Finding]
    /// Stores the profile of a drop that passed validation.
    func recordProfile(dropId: Int64, runId: Int64, profile: String) throws
    func profile(dropId: Int64) throws -> String?
    /// Pins a schema for `pipeline` (the newest pinned row is in force).
    func pinSchema(pipeline: String, source: String, dropId: Int64?, profile: String) throws
    /// The schema in force: (source, drop, profile JSON).
    func pinnedSchema(pipeline: String) throws -> (source: String, dropId: Int64?, profile: String)?
    /// The drop the current model of `pipeline` was trained on.
    func championDrop(pipeline: String) throws -> Int64?
    func recordDrift(runId: Int64, dropId: Int64, referenceDropId: Int64?, scores: [DriftScore]) throws
    func drift(runId: Int64) throws -> [DriftScore]

    // Training windows
    /// Archived drops of `pipeline` before `dropId` (newest first, one per content hash),
    /// at most `limit`, received at or after `since` (ISO-8601) when given.
    func windowDrops(pipeline: String, before dropId: Int64, limit: Int?, since: String?) throws -> [WindowDrop]
    /// Records the checksum of the column cache written for an archived drop
    /// (docs/ingest.md): which cache file belongs to it.
    func recordColumnCache(dropId: Int64, checksum: String) throws
    /// Records the drops a run trained on, in order, with their row counts.
    func recordRunInputs(runId: Int64, inputs: [(dropId: Int64, rows: Int)]) throws
    /// The drops a run trained on: (drop id, rows), in order.
    func runInputs(runId: Int64) throws -> [(dropId: Int64, rows: Int)]

    // Events
    func recordEvent(level: EventLevel, kind: String, pipeline: String?, dropId: Int64?,
                     runId: Int64?, message: String) throws

    // Recovery and duplicates
    /// The run with this key, if recorded.
    func run(key: String) throws -> RunRef?
    /// The run with this id, if recorded.
    func run(id: Int64) throws -> RunRef?
    /// Runs still marked `running`.
    func runningRuns() throws -> [RunRef]
    /// Number of runs recorded for a drop.
    func attempts(dropId: Int64) throws -> Int
    /// Marks the run's still-running stages as failed with `message`.
    func failRunningStages(runId: Int64, message: String) throws
    /// An earlier drop of `pipeline` with this content that finished (archived), if any.
    func processedDrop(pipeline: String, sha256: String, excluding dropId: Int64) throws -> Int64?

    // Reading
    func pipelines() throws -> [String]
    func recentDrops(pipeline: String, limit: Int) throws -> [DropRow]
    /// One drop's row.
    func drop(id: Int64) throws -> DropRow?
    func recentRuns(pipeline: String, limit: Int) throws -> [RunRow]
    func models(pipeline: String) throws -> [ModelRow]
    /// The newest `limit` models of a pipeline, oldest first.
    func recentModels(pipeline: String, limit: Int) throws -> [ModelRow]
    /// The newest `limit` changes of the model in service, oldest first.
    func recentChampionChanges(pipeline: String, limit: Int) throws -> [ChampionInterval]
    /// Drops by outcome and runs by status since a time, and the last success.
    func windowCounts(pipeline: String, since: String?) throws -> WindowCounts
    /// The drop a run's drift was measured on, and its reference drop.
    func driftDrops(runId: Int64) throws -> (dropId: Int64, referenceDropId: Int64?)?
    func currentModel(pipeline: String) throws -> ModelRow?
    func events(runId: Int64) throws -> [EventRow]

    // Registry
    /// Makes `toModelId` the champion of `pipeline`, recorded as `action` with
    /// who and why, in one transaction that reads the current champion first.
    /// - Throws: ``LedgerError`` when it already is the champion.
    func changeChampion(pipeline: String, toModelId: Int64, action: ChampionAction, reason: String,
                        by: String) throws -> ChampionInterval
    /// Every champion of `pipeline`, oldest first.
    func championHistory(pipeline: String) throws -> [ChampionInterval]
    /// The champion of `pipeline` at `time` (ISO-8601 UTC, as the ledger writes it).
    func champion(pipeline: String, at time: String) throws -> ChampionInterval?
    /// The model row of a published (or reserved) version.
    func model(pipeline: String, version: Int) throws -> ModelRow?
    /// Records a model's identity digest (from its manifest).
    func recordModelIdentity(modelId: Int64, digest: String) throws
    /// The model whose archive has this SHA-256.
    func model(archiveSHA256 sha256: String) throws -> ModelRow?

    // Retention
    /// Archived drops whose file has not been deleted, newest first.
    func archivedDrops(pipeline: String) throws -> [DropRow]
    /// The drops a model trained on (its own and its window's).
    func trainingDropIds(modelId: Int64) throws -> [Int64]
    /// Tombstones: the row stays, marked deleted now with `reason`.
    func markModelDeleted(id: Int64, reason: String) throws
    func markDropDeleted(id: Int64, reason: String) throws

    // Scoring and realized performance
    /// The drop row a claim made (by where it was dropped and when it was claimed).
    func drop(inboxPath: String, claimedAt: String) throws -> Int64?
    /// Marks a drop as a `score` or `labels` drop (drops are `train` by default).
    func markDrop(id: Int64, kind: String) throws
    /// Starts (or restarts, for a retried key) a scoring run.
    func startScoring(runKey: String, pipeline: String, dropId: Int64, modelId: Int64?, version: Int?) throws -> Int64
    func finishScoring(id: Int64, status: String, rows: Int?, predictionsPath: String?, summary: String?,
                       driftedShare: Double?, message: String) throws
    func recordPredictions(scoringRunId: Int64, rows: [(id: String, scores: [Double])]) throws
    /// The latest prediction of each of `ids`, for joining labels.
    func latestPredictions(pipeline: String, ids: [String]) throws -> [String: StoredPrediction]
    func recordRealizedMetrics(pipeline: String, version: Int, source: String, scoringRunId: Int64?,
                               labelsDropId: Int64?, runId: Int64?, metrics: [(String, Double)], rows: Int) throws
    func realizedMetrics(pipeline: String) throws -> [RealizedMetric]

    // Monitoring
    func recordMonitorAction(pipeline: String, action: String, version: Int, metric: String, measurementId: Int64?,
                             scoringRunId: Int64?, measured: String, reason: String, outcome: String) throws -> Int64
    func monitorActions(pipeline: String) throws -> [MonitorAction]
    /// Takes the pending `retrain` request, if any, for the run `runId` (which then waives the champion comparison).
    func consumeRetrainRequest(pipeline: String, runId: Int64) throws -> MonitorAction?
    /// What the metrics file says about scoring, labels and monitoring.
    func monitoringCounters(pipeline: String) throws -> MonitoringCounters
    /// The drifted share of each scored drop that has one, oldest first.
    func scoredDrift(pipeline: String) throws -> [(id: Int64, share: Double)]
    /// Where the drop of a scoring run is archived (nil when deleted).
    func scoredDropPath(scoringRunId: Int64) throws -> String?

    // Lineage
    /// A model back to its drops, run, stages and champion changes.
    func lineage(modelId: Int64) throws -> ModelLineage?
    /// Every model trained on a drop with this content, and whether it is in service.
    func models(trainedOnDrop sha256: String) throws -> [DropUse]

    // Claims across hosts (a shared ledger; docs/scale.md)
    /// Claims a drop for `host`: one row per (pipeline, file identity). True
    /// when this host won it — the row was new, or the last claim on that
    /// identity is done or its lease ran out; false when another host holds it.
    func takeClaim(pipeline: String, kind: String, identity: String, inboxPath: String, claimKey: String,
                   host: String, leaseSeconds: Double) throws -> Bool
    /// Forgets a claim whose drop could not be moved (gone: another host or its writer took it).
    func removeClaim(claimKey: String, host: String) throws
    /// Marks claims done: their drops are filed.
    func finishClaims(claimKeys: [String], host: String) throws
    /// The work folders (claim keys) `host` holds.
    func heldClaims(host: String) throws -> [String]
    /// Extends every lease `host` holds (its claims and lanes) to `leaseSeconds` from now.
    func renewLeases(host: String, leaseSeconds: Double) throws
    /// Takes over at most `limit` claims whose lease ran out (another host
    /// died), each counted as a takeover; returns their claim keys.
    func takeExpiredClaims(host: String, leaseSeconds: Double, limit: Int) throws -> [String]
    /// Takes `lane` (a pipeline's inbox) for `host`: one host at a time runs a
    /// lane's drops, in order, as one daemon does. True when `host` has it.
    func takeLane(_ lane: String, host: String, leaseSeconds: Double) throws -> Bool
    /// Lets `lane` go, when `host` has it.
    func releaseLane(_ lane: String, host: String) throws
    /// Says `host` is alive for `leaseSeconds` more; returns how many hosts are alive (itself included).
    func heartbeat(host: String, leaseSeconds: Double) throws -> Int
    /// Lets every lane of `host` go.
    func releaseLanes(host: String) throws
}
