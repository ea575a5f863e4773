import Foundation
import SluiceFormats
import SluiceLedger
import SluiceTestSupport
import Testing

/// The same lifecycle, written and read through the ``Ledger`` protocol, on
/// both databases: a SQLite file and a real PostgreSQL server. Every answer
/// is collected into a transcript; the two transcripts must be equal, and
/// the answers right.
@Suite struct LedgerBackendTests {
    enum Backend: String, CaseIterable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }
    }

    let directory = TemporaryDirectory("sluice-ledger-backends")

    func open(_ backend: Backend) throws -> SQLLedger {
        switch backend {
        case .sqlite: try SQLLedger.open(directory.path + "/ledger-\(UInt32.random(in: 0...UInt32.max)).sqlite")
        case .postgres: try SQLLedger.open(try PostgresServer.freshDatabase())
        }
    }

    @Test func bothBackendsTellTheSameStory() throws {
        let sqlite = try lifecycle(open(.sqlite))
        let postgres = try lifecycle(open(.postgres))
        #expect(sqlite.count > 40)
        for (line, (a, b)) in zip(sqlite, postgres).enumerated() where a != b {
            Issue.record("line \(line): SQLite said \(a), PostgreSQL said \(b)")
        }
        #expect(sqlite.count == postgres.count)
    }

    /// Writes one pipeline's story (two drops, a publication, a rejection,
    /// a rollback, scoring, labels, a monitor action, retention) and reads it back.
    func lifecycle(_ ledger: SQLLedger) throws -> [String] {
        var out: [String] = []
        func say(_ value: Any) { out.append("\(value)") }
        let now = "2026-12-01T10:00:00.000Z"
        var runs: [Int64] = []
        var drops: [Int64] = []
        for index in 0..<2 {
            let drop = try ledger.recordDrop(pipeline: "churn", fileName: "d\(index).csv", inboxPath: "/in/d\(index).csv",
                                             receivedAt: now, claimedAt: now)
            try ledger.describeDrop(id: drop, sha256: "sha\(index)", sizeBytes: 1000 + Int64(index), rows: 50)
            let run = try ledger.startRun(dropId: drop, pipeline: "churn", runKey: "key\(index)", seed: UInt64.max - 1,
                                          configSHA256: "cfg", workDirectory: "/work/key\(index)", pid: 77, host: "h1")
            for (position, stage) in ["ingest", "validate", "evaluate"].enumerated() {
                let plugin = position == 0 ? nil : PluginIdentity(name: stage, version: "1.0", path: "/p/\(stage).so", sha256: "ps")
                let stageId = try ledger.startStage(runId: run, position: position, stage: stage, kind: stage, plugin: plugin)
                if stage == "evaluate" {
                    try ledger.recordMetric(runId: run, stageRunId: stageId, name: "auc", value: 0.75 + Double(index) / 10)
                    try ledger.recordMetric(runId: run, stageRunId: stageId, name: "auc", value: 0.8 + Double(index) / 10)
                    try ledger.recordGateRules(runId: run, stageRunId: stageId, rules: [
                        GateRecord.Rule(metric: "auc", bound: "min", threshold: 0.6, measured: 0.8, passed: true, text: "auc ok"),
                        GateRecord.Rule(metric: "ll", bound: "max", threshold: 0.5, measured: nil, passed: false, text: "ll?"),
                    ])
                }
                if stage == "validate" {
                    try ledger.recordFindings(runId: run, stageRunId: stageId, findings: [
                        Finding(kind: "out_of_range", severity: "warning", column: "age", measured: "200", expected: "≤ 120",
                                count: 2, examples: "line 3: 200", message: "age out of range"),
                    ])
                    try ledger.recordDrift(runId: run, dropId: drop, referenceDropId: drops.first, scores: [
                        DriftScore(column: "age", measure: "psi", score: 0.31, threshold: 0.2, drifted: true),
                    ])
                }
                try ledger.finishStage(id: stageId, status: .succeeded, message: "ok \(stage)", durationMs: 1.5)
            }
            try ledger.recordMetric(runId: run, stageRunId: nil, name: "rows", value: 50)
            try ledger.recordProfile(dropId: drop, runId: run, profile: "{\"rows\":50}")
            try ledger.recordProfile(dropId: drop, runId: run, profile: "{\"rows\":\(50 + index)}")
            try ledger.recordRunInputs(runId: run, inputs: [(drop, 50)] + drops.map { ($0, 40) })
            try ledger.recordEvent(level: .info, kind: "drop.claimed", pipeline: "churn", dropId: drop, runId: run, message: "é ✓ 'quoted' ?")
            runs.append(run)
            drops.append(drop)
        }
        // First run: published as v1. Second: published as v2, then rolled back.
        for run in runs {
            let pending = try ledger.reservePublication(runId: run, pipeline: "churn", reasons: "good") { "/out/churn-v\($0).tar.gz" }
            say("reserved v\(pending.version) \(pending.archivePath)")
            say(try ledger.pendingPublications(runId: run).map(\.version))
            try ledger.completePublication(pending, archiveSHA256: "arch\(pending.version)", reason: "approved",
                                           action: .approve, by: "sluice")
            try ledger.finishRun(id: run, status: .approved, message: "v\(pending.version)", durationMs: 12.25)
            try ledger.finishDrop(id: try #require(try ledger.run(id: run)).dropId, outcome: .archived, reason: "published",
                                  finalPath: "/archive/\(run).csv")
            try ledger.recordModelIdentity(modelId: pending.modelId, digest: "id\(pending.version)")
        }
        let v1 = try #require(try ledger.model(pipeline: "churn", version: 1))
        let change = try ledger.changeChampion(pipeline: "churn", toModelId: v1.id, action: .rollback, reason: "worse", by: "ops")
        say("\(change.version) from \(change.fromVersion!) \(change.action) by \(change.by)")
        #expect(throws: LedgerError.self) {
            try ledger.changeChampion(pipeline: "churn", toModelId: v1.id, action: .rollback, reason: "again", by: "ops")
        }
        // A third drop: rejected, then force-promoted.
        let rejectedDrop = try ledger.recordDrop(pipeline: "churn", fileName: "d2.csv", inboxPath: "/in/d2.csv",
                                                 receivedAt: now, claimedAt: now)
        let rejectedRun = try ledger.startRun(dropId: rejectedDrop, pipeline: "churn", runKey: "key2", seed: 3,
                                              configSHA256: "cfg", workDirectory: "/work/key2", pid: 78, host: nil)
        let rejected = try ledger.recordModel(runId: rejectedRun, pipeline: "churn", version: nil, decision: .rejected,
                                              reasons: "auc too low", archivePath: nil, archiveSHA256: nil)
        try ledger.failRunningStages(runId: rejectedRun, message: "stopped")
        try ledger.finishRun(id: rejectedRun, status: .rejected, message: "no", durationMs: 3)
        let forced = try ledger.reserveForcedPublication(modelId: rejected, pipeline: "churn") { "/out/churn-v\($0).tar.gz" }
        say("forced v\(forced.version) run \(forced.runId == rejectedRun)")
        try ledger.abandonPublication(forced, reason: "changed my mind")
        #expect(throws: LedgerError.self) {
            try ledger.reserveForcedPublication(modelId: rejected, pipeline: "churn") { "/x\($0)" }
        }

        // Reading.
        say(try ledger.pipelines())
        for drop in try ledger.recentDrops(pipeline: "churn", limit: 10) {
            say("\(drop.fileName) \(drop.sha256 ?? "-") \(drop.sizeBytes ?? -1) \(drop.rows ?? -1) \(drop.outcome) \(drop.finalPath ?? "-")")
        }
        for run in try ledger.recentRuns(pipeline: "churn", limit: 10) {
            say("\(run.runKey) \(run.status) \(run.durationMs ?? -1) \(run.host ?? "-") " + run.stages.map { "\($0.stage):\($0.status)" }.joined(separator: ","))
        }
        for model in try ledger.models(pipeline: "churn") {
            say("\(model.version.map(String.init) ?? "-") \(model.decision) \(model.publication ?? "-") \(model.metrics) \(model.identity ?? "-")")
        }
        say(try ledger.recentModels(pipeline: "churn", limit: 2).map(\.id))
        say(try ledger.currentModel(pipeline: "churn").map { "current v\($0.version!)" } ?? "none")
        say(try ledger.championHistory(pipeline: "churn").map { "\($0.version):\($0.action):\($0.until == nil)" })
        say(try ledger.recentChampionChanges(pipeline: "churn", limit: 2).count)
        say(try ledger.champion(pipeline: "churn", at: "2999-01-01T00:00:00Z").map { "v\($0.version)" } ?? "none")
        say(try ledger.championDrop(pipeline: "churn") ?? -1)
        say(try ledger.gateRules(runId: runs[0]).map { "\($0.metric) \($0.passed) \($0.measured ?? -1)" })
        say(try ledger.findings(runId: runs[1]).map { "\($0.kind) \($0.column ?? "-") \($0.count ?? -1) \($0.examples ?? "-")" })
        say(try ledger.profile(dropId: drops[1]) ?? "-")
        say(try ledger.drift(runId: runs[1]).map { "\($0.column) \($0.score) \($0.drifted)" })
        say(try ledger.driftDrops(runId: runs[1]).map { "\($0.dropId) \($0.referenceDropId ?? -1)" } ?? "-")
        say(try ledger.runInputs(runId: runs[1]).map { "\($0.dropId):\($0.rows)" })
        say(try ledger.windowDrops(pipeline: "churn", before: rejectedDrop, limit: 5, since: nil).map(\.fileName))
        say(try ledger.windowDrops(pipeline: "churn", before: rejectedDrop, limit: nil, since: "2999").count)
        say(try ledger.events(runId: runs[0]).map { "\($0.level) \($0.kind) \($0.message)" })
        say(try ledger.runningRuns().map(\.key))
        say(try ledger.run(key: "key1").map { "\($0.status) \($0.pid ?? -1) \($0.host ?? "-")" } ?? "-")
        say(try ledger.attempts(dropId: drops[0]))
        say(try ledger.processedDrop(pipeline: "churn", sha256: "sha0", excluding: drops[1]) ?? -1)
        let counts = try ledger.windowCounts(pipeline: "churn", since: nil)
        say("\(counts.drops.sorted { $0.key < $1.key }) \(counts.runs.sorted { $0.key < $1.key }) \(counts.lastSuccess != nil)")
        let totals = try ledger.counters(pipeline: "churn")
        say("\(totals.drops.sorted { $0.key < $1.key }) \(totals.currentVersion ?? -1) " + totals.stageSeconds.keys.sorted().joined(separator: ","))
        say(try ledger.lineage(modelId: v1.id).map { "\($0.runKey) \($0.inputs.count) \($0.stages.count) \($0.changes.count) \($0.inService) \($0.seed)" } ?? "-")
        say(try ledger.models(trainedOnDrop: "sha0").map { "\($0.version ?? -1) \($0.position) \($0.inService)" })
        say(try ledger.model(archiveSHA256: "arch2").map { "v\($0.version!)" } ?? "-")
        say(try ledger.trainingDropIds(modelId: v1.id))

        // Scoring, labels and monitoring.
        let scoreDrop = try ledger.recordDrop(pipeline: "churn", fileName: "s.csv", inboxPath: "/score/s.csv",
                                              receivedAt: now, claimedAt: now)
        try ledger.markDrop(id: scoreDrop, kind: "score")
        say(try ledger.drop(inboxPath: "/score/s.csv", claimedAt: now) == scoreDrop)
        let scoring = try ledger.startScoring(runKey: "s1", pipeline: "churn", dropId: scoreDrop, modelId: v1.id, version: 1)
        say(try ledger.startScoring(runKey: "s1", pipeline: "churn", dropId: scoreDrop, modelId: v1.id, version: 1) == scoring)
        try ledger.recordPredictions(scoringRunId: scoring, rows: [("a", [0.25, 0.75]), ("b", [1.0 / 3, 2.0 / 3])])
        try ledger.finishScoring(id: scoring, status: "scored", rows: 2, predictionsPath: "/p.csv", summary: "{}",
                                 driftedShare: 0.5, message: "ok")
        let predictions = try ledger.latestPredictions(pipeline: "churn", ids: ["a", "b", "zz"])
        say(predictions.keys.sorted().map { "\($0)=\(predictions[$0]!.scores)" })
        try ledger.recordRealizedMetrics(pipeline: "churn", version: 1, source: "labels", scoringRunId: scoring,
                                         labelsDropId: nil, runId: nil, metrics: [("auc", 0.7), ("nan", .nan)], rows: 2)
        let measured = try ledger.realizedMetrics(pipeline: "churn")
        say(measured.map { "\($0.name) \($0.value) \($0.rows)" })
        _ = try ledger.recordMonitorAction(pipeline: "churn", action: "retrain", version: 1, metric: "auc",
                                           measurementId: measured.first?.id, scoringRunId: nil, measured: "0.7",
                                           reason: "low", outcome: "requested")
        say(try ledger.consumeRetrainRequest(pipeline: "churn", runId: rejectedRun)?.action ?? "-")
        say(try ledger.consumeRetrainRequest(pipeline: "churn", runId: rejectedRun)?.action ?? "-")
        let monitoring = try ledger.monitoringCounters(pipeline: "churn")
        say("\(monitoring.rowsScored) \(monitoring.labelsMatched) \(monitoring.realized) \(monitoring.driftedShare ?? -1) \(monitoring.monitorActions)")
        say(try ledger.scoredDrift(pipeline: "churn").map(\.share))
        say(try ledger.scoredDropPath(scoringRunId: scoring) ?? "-")

        // Retention tombstones.
        try ledger.markDropDeleted(id: drops[0], reason: "old")
        try ledger.markModelDeleted(id: v1.id, reason: "old")
        say(try ledger.archivedDrops(pipeline: "churn").map(\.fileName))
        say(try ledger.drop(id: drops[0]).map { $0.deletedReason ?? "-" } ?? "-")

        // The report's tables, as text.
        for table in SQLLedger.reportTables.keys.sorted() {
            let result = try ledger.reportTable(table, pipelines: ["churn"], since: nil)
            say("\(table): \(result.columns.joined(separator: ",")) · \(result.rows.count) rows")
            say(result.rows.first.map { $0.filter { !$0.hasPrefix("20") }.joined(separator: "|") } ?? "")
        }
        say(try ledger.reportTable("runs", pipelines: [], since: "2999").rows.count)
        return out
    }

    @Test(arguments: Backend.allCases)
    func versionsAreUniqueAcrossConcurrentPublishers(_ backend: Backend) throws {
        let first = try open(backend)
        let location = first.database.location
        let runs = try (0..<40).map { try seedRun(first, key: "k\($0)") }
        // Four "hosts", each its own connection, reserve 10 versions each at once.
        let ledgers = try (0..<4).map { _ in try backend == .postgres ? SQLLedger.open(location) : SQLLedger(path: location) }
        let versions = try ConcurrentResults.collect(count: ledgers.count) { index in
            try (0..<10).map { turn in
                try ledgers[index].reservePublication(runId: runs[index * 10 + turn], pipeline: "churn", reasons: "r") { "/v\($0)" }.version
            }
        }
        #expect(versions.flatMap { $0 }.sorted() == Array(1...40))
    }

    @Test(arguments: Backend.allCases)
    func claimsLanesAndLeases(_ backend: Backend) throws {
        let ledger = try open(backend)
        func take(_ host: String, _ key: String) throws -> Bool {
            try ledger.takeClaim(pipeline: "churn", kind: "train", identity: "/in/a.csv|10|5|9", inboxPath: "/in/a.csv",
                                 claimKey: key, host: host, leaseSeconds: 0.4)
        }
        #expect(try take("h1", "k1"))
        #expect(try !take("h2", "k2"))                       // h1 holds it
        #expect(try ledger.heldClaims(host: "h1") == ["k1"])
        #expect(try ledger.takeExpiredClaims(host: "h2", leaseSeconds: 30, limit: 5).isEmpty)
        try waitUntil(seconds: 10) { try !ledger.takeExpiredClaims(host: "h2", leaseSeconds: 30, limit: 5).isEmpty }
        #expect(try ledger.heldClaims(host: "h2") == ["k1"])  // taken over, same work folder
        #expect(try ledger.heldClaims(host: "h1").isEmpty)
        try ledger.finishClaims(claimKeys: ["k1"], host: "h2")
        #expect(try take("h3", "k3"))                        // done: the same identity may be claimed again
        try ledger.removeClaim(claimKey: "k3", host: "h3")
        #expect(try take("h1", "k4"))

        #expect(try ledger.takeLane("churn", host: "h1", leaseSeconds: 0.4))
        #expect(try ledger.takeLane("churn", host: "h1", leaseSeconds: 0.4))
        #expect(try !ledger.takeLane("churn", host: "h2", leaseSeconds: 30))
        try ledger.renewLeases(host: "h1", leaseSeconds: 30)
        try ledger.releaseLane("churn", host: "h2")         // not h2's: no change
        #expect(try !ledger.takeLane("churn", host: "h2", leaseSeconds: 30))
        try ledger.releaseLanes(host: "h1")
        #expect(try ledger.takeLane("churn", host: "h2", leaseSeconds: 30))
    }

    /// A statement sent without waiting (PostgreSQL) still fails its
    /// transaction: nothing of it is committed, the error names the cause,
    /// and the connection goes on.
    @Test(arguments: Backend.allCases)
    func aFailedStatementFailsItsWholeTransaction(_ backend: Backend) throws {
        let ledger = try open(backend)
        let run = try seedRun(ledger, key: "k")
        let error = #expect(throws: (any Error).self) {
            try ledger.recordMetrics(runId: run, stageRunId: 424242, metrics: [("a", 1), ("b", 2)])
        }
        #expect("\(error!)".lowercased().contains("foreign key"))
        #expect(try ledger.database.read { try $0.scalar(Int.self, sql: "SELECT count(*) FROM metrics") } == 0)
        try ledger.recordMetrics(runId: run, stageRunId: nil, metrics: [("a", 1), ("b", 2)])
        #expect(try ledger.database.read { try $0.scalar(Int.self, sql: "SELECT count(*) FROM metrics") } == 2)
    }

    func seedRun(_ ledger: SQLLedger, key: String) throws -> Int64 {
        let drop = try ledger.recordDrop(pipeline: "churn", fileName: "a", inboxPath: "/a", receivedAt: "t", claimedAt: "t")
        return try ledger.startRun(dropId: drop, pipeline: "churn", runKey: key, seed: 1, configSHA256: "c",
                                   workDirectory: "/w", pid: 1, host: "h")
    }

    func waitUntil(seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else { throw TestFailure("condition not met within \(seconds) s") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
