import Foundation
import SluiceData
import SluiceLedger

/// `sluice lineage` for people.
enum LineageText {
    static func model(_ l: ModelLineage) -> String {
        let name = "\(l.pipeline) " + (l.version.map { "v\($0)" } ?? "run \(l.runKey)'s candidate")
        var out = "\(name): \(l.decision)\(l.publication.map { ", \($0)" } ?? "")\(l.inService ? ", in service now" : "")\n"
        out += "  trained on \(l.inputs.count) drop\(l.inputs.count == 1 ? "" : "s"):\n"
        for input in l.inputs {
            out += "    \(input.position == 0 ? "own   " : "window") \(input.fileName)  \(input.rows) rows  sha256 \(input.sha256 ?? "-")"
                + "  received \(input.receivedAt)  → \(input.finalPath ?? input.outcome)"
                + (input.deletedAt.map { " (deleted \($0) by retention)" } ?? "") + "\n"
        }
        out += "  run \(l.runKey) (id \(l.runId)): \(l.runStatus), started \(l.startedAt)"
            + (l.durationMs.map { String(format: ", %.2f s", $0 / 1000) } ?? "") + ", seed \(l.seed), config sha256 \(l.configSHA256.prefix(12))…\n"
        for stage in l.stages {
            let plugin = stage.pluginName.map { "\($0) \(stage.pluginVersion ?? "") (.so sha256 \(stage.pluginSHA256?.prefix(12) ?? "-")…)" } ?? "host"
            let metrics = stage.metrics.keys.sorted().filter { !$0.hasPrefix("nulls.") }.prefix(6)
                .map { "\($0) \(String(format: "%.4g", stage.metrics[$0]!))" }.joined(separator: ", ")
            out += "    \(stage.position). \(stage.stage) [\(stage.kind)] \(plugin): \(stage.status)"
                + (stage.durationMs.map { String(format: " in %.0f ms", $0) } ?? "") + (metrics.isEmpty ? "" : "; \(metrics)") + "\n"
        }
        out += "  archive: \(l.archivePath ?? "none")\(l.archiveSHA256.map { " (sha256 \($0))" } ?? "")"
            + (l.deletedAt.map { " — deleted \($0) by retention (\(l.deletedReason ?? ""))" } ?? "") + "\n"
        out += "  identity \(l.identity ?? "unknown (archived before identities)")\n"
        if l.changes.isEmpty {
            out += "  never in service\n"
        } else {
            out += "  in service:\n"
            for change in l.changes {
                let role = change.modelId == l.modelId ? "became current" : "replaced by v\(change.version)"
                out += "    \(change.since)  \(role) (\(change.action.rawValue) by \(change.by)): \(MessageText.escaped(change.reason))\n"
            }
        }
        return out
    }

    static func dropUses(_ uses: [DropUse], sha256: String) -> String {
        guard let first = uses.first else { return "no model was trained on a drop with sha256 \(sha256)\n" }
        var out = "drop \(first.fileName) (sha256 \(sha256)) trained \(uses.count) model\(uses.count == 1 ? "" : "s"):\n"
        for use in uses {
            let name = use.version.map { "\(use.pipeline) v\($0)" } ?? "\(use.pipeline) run \(use.runKey)'s candidate"
            out += "  \(name): \(use.decision), as \(use.position == 0 ? "its own drop" : "window drop \(use.position)")"
                + "\(use.inService ? " — IN SERVICE NOW" : "")\n"
        }
        let serving = uses.filter(\.inService)
        out += serving.isEmpty ? "none of them is in service\n"
            : "in service now: " + serving.map { "\($0.pipeline) v\($0.version ?? 0)" }.joined(separator: ", ") + "\n"
        return out
    }
}
