// sluice-bench-report: a ledger with 10,000 runs across 5 pipelines (built
// through the ledger's own API, in a temporary folder), then `sluice report`'s
// text and HTML rendered from it, timed (best of 3), the page's size, and the
// query plans of the report's windowed reads. Targets: text < 1 s, HTML < 2 s,
// page < 2 MB. Run with `make bench-report` (release build).
import Foundation
import SluiceFormats
import SluiceLedger
import SluiceReport
import SluiceSystem

let pipelines = (1...5).map { "pipeline\($0)" }
let runsPerPipeline = 2_000
let folder = NSTemporaryDirectory() + "sluice-bench-report-\(getpid())"
try FileSystem.createDirectory(folder)
defer { try? FileManager.default.removeItem(atPath: folder) }
let ledger = try SQLLedger(path: folder + "/ledger.sqlite")

let build = Date()
for pipeline in pipelines {
    for index in 0..<runsPerPipeline {
        let now = Timestamp.now()
        let drop = try ledger.recordDrop(pipeline: pipeline, fileName: "day-\(index).csv", inboxPath: "/in/day-\(index).csv",
                                         receivedAt: now, claimedAt: now)
        try ledger.describeDrop(id: drop, sha256: ContentHash.sha256(Array("\(pipeline)\(index)".utf8)), sizeBytes: 1_000_000, rows: 10_000)
        let run = try ledger.startRun(dropId: drop, pipeline: pipeline, runKey: "\(pipeline)-\(index)", seed: 1,
                                      configSHA256: "c", workDirectory: "/w", pid: 1, host: nil)
        for (position, stage) in ["ingest", "validate", "features", "train", "evaluate"].enumerated() {
            let id = try ledger.startStage(runId: run, position: position, stage: stage, kind: stage, plugin: nil)
            try ledger.finishStage(id: id, status: .succeeded, message: nil, durationMs: Double(10 + position))
            if stage == "evaluate" {
                try ledger.recordMetric(runId: run, stageRunId: id, name: "auc", value: 0.8 + Double(index % 50) / 1000)
            }
            if stage == "validate" {
                try ledger.recordDrift(runId: run, dropId: drop, referenceDropId: nil, scores: (0..<8).map {
                    DriftScore(column: "f\($0)", measure: "psi", score: Double(($0 * index) % 30) / 100, threshold: 0.2,
                               drifted: ($0 * index) % 30 > 20)
                })
            }
        }
        let approved = index % 3 == 0
        try ledger.finishRun(id: run, status: approved ? .approved : .rejected, message: approved ? "ok" : "auc too low", durationMs: 60)
        if approved {
            let pending = try ledger.reservePublication(runId: run, pipeline: pipeline, reasons: "ok") { "/out/\(pipeline)-v\($0).tar.gz" }
            try ledger.completePublication(pending, archiveSHA256: "a", reason: "approved", action: .approve, by: "sluice")
        } else {
            _ = try ledger.recordModel(runId: run, pipeline: pipeline, version: nil, decision: .rejected, reasons: "auc too low",
                                       archivePath: nil, archiveSHA256: nil)
        }
        try ledger.finishDrop(id: drop, outcome: .archived, reason: "done", finalPath: "/archive/\(index).csv")
    }
}
print("ledger: \(pipelines.count) pipelines × \(runsPerPipeline) runs built in \(String(format: "%.1f", Date().timeIntervalSince(build))) s")

func best(_ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<3 {
        let start = Date()
        try body()
        times.append(Date().timeIntervalSince(start))
    }
    return times.min()!
}
var textBytes = 0, htmlBytes = 0
let text = try best {
    let report = try Report.load(from: ledger, ledgerPath: folder, pipelines: pipelines, limit: 10, generatedAt: Timestamp.now())
    textBytes = report.text().utf8.count
}
let html = try best {
    let report = try Report.load(from: ledger, ledgerPath: folder, pipelines: pipelines, limit: 10, generatedAt: Timestamp.now())
    htmlBytes = report.html().utf8.count
}
print(String(format: "text: %.3f s (target < 1 s: %@), %d bytes", text, text < 1 ? "met" : "NOT MET", textBytes))
print(String(format: "html: %.3f s (target < 2 s: %@), %d bytes (target < 2 MB: %@)", html, html < 2 ? "met" : "NOT MET",
             htmlBytes, htmlBytes < 2 << 20 ? "met" : "NOT MET"))
for (name, plan) in try ledger.reportQueryPlans(pipeline: pipelines[0]) {
    print("plan of \(name): \(plan)")
}
