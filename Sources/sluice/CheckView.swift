import Foundation
import SluiceSystem

/// What `sluice plugins check` prints: the child's lines as they come (log,
/// progress, stages), then the report — or, with --format json, only the
/// report as one JSON object.
struct CheckView {
    let json: Bool
    var report: PluginCheckReport?
    var error: String?
    /// Lines the child wrote outside the protocol (a crash's message, a plugin's own printf).
    var stray: [String] = []
    var logs: [String] = []

    init(json: Bool) { self.json = json }

    mutating func take(_ line: String) {
        let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch fields.first {
        case "log" where fields.count == 3:
            logs.append("\(fields[1]): \(fields[2])")
            show("  log \(fields[1]): \(fields[2])")
        case "progress" where fields.count == 3:
            show("  progress \(fields[1])%  \(fields[2])")
        case "stage" where fields.count >= 2:
            show("stage \(fields[1])")
        case "result" where fields.count >= 2:
            do {
                let decoder = JSONDecoder()
                decoder.keyDecodingStrategy = .convertFromSnakeCase
                report = try decoder.decode(PluginCheckReport.self, from: Data(fields[1...].joined(separator: "\t").utf8))
            } catch {
                self.error = "the check's child wrote a report that does not decode: \(error)"
            }
        case "error" where fields.count >= 2:
            error = fields[1...].joined(separator: "\t")
        default:
            stray.append(line)
            show("  | \(line)")
        }
    }

    func show(_ text: String) {
        if !json { FileSystem.writeStandardOutput(text + "\n") }
    }

    /// Prints the verdict; true when the check passed.
    func finish(outcome: ProbeRunner.Outcome, seconds: Double, timeout: Double) -> Bool {
        let failure: String? = switch outcome {
        case .timedOut: "hung: still running after \(HumanNumber.format(timeout)) s (--timeout); killed"
        case .signaled(let signal): "crashed: killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        case .exited(let status) where report == nil:
            error.map { "failed: \($0)" } ?? "failed: the child exited with status \(status) without a report"
        case .exited: nil
        }
        if json {
            struct Output: Encodable {
                var passed: Bool
                var failure: String?
                var seconds: Double
                var report: PluginCheckReport?
                var logs: [String]
                var output: [String]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let passed = failure == nil && report?.succeeded == true
            let body = Output(passed: passed, failure: failure ?? (passed ? nil : report?.status), seconds: seconds,
                              report: report, logs: logs, output: stray)
            if let data = try? encoder.encode(body) { FileSystem.writeStandardOutput(String(decoding: data, as: UTF8.self) + "\n") }
            return passed
        }
        if let failure {
            FileSystem.writeStandardOutput("\n✗ \(failure) (\(HumanNumber.format(seconds)) s)\n")
            return false
        }
        guard let report else { return false }
        FileSystem.writeStandardOutput("\n" + Self.text(report, seconds: seconds))
        return report.succeeded
    }

    static func text(_ r: PluginCheckReport, seconds: Double) -> String {
        func columns(_ list: [PluginCheckReport.Column]) -> String {
            list.isEmpty ? "none" : list.map { "\($0.name) (\($0.type))" }.joined(separator: ", ")
        }
        var out = "plugin    \(r.plugin.name) \(r.plugin.version) (\(r.plugin.kind)), ABI v\(r.plugin.abiVersion), "
            + "descriptor \(r.plugin.descriptorSize) bytes\(r.plugin.applies ? ", with apply" : "")\n"
        out += "file      \(r.plugin.file)\n          sha256 \(r.plugin.sha256)\n"
        out += "data      \(r.data): \(r.rows) rows (\(r.trainRows) train, \(r.holdoutRows) holdout), task \(r.task), target '\(r.target)'\n"
        if !r.before.isEmpty { out += "before    stock \(r.before.joined(separator: ", ")) (the kind needs their output)\n" }
        out += "added     \(columns(r.added))\nreplaced  \(columns(r.replaced))\nremoved   \(columns(r.removed))\n"
        if r.rowsAfter != r.rows { out += "rows      \(r.rows) → \(r.rowsAfter) (\(r.rows - r.rowsAfter) removed)\n" }
        out += "metrics   " + (r.metrics.isEmpty ? "none" : r.metrics.map { "\($0.name) \(HumanNumber.format($0.value))" }
            .joined(separator: ", ")) + "\n"
        out += "artifacts " + (r.artifacts.isEmpty ? "none" : r.artifacts.map { "\($0.name) (\($0.bytes) bytes)" }
            .joined(separator: ", ")) + "\n"
        out += "verdict   \(r.verdict ?? "none")\n"
        if let model = r.model { out += "model     model.json \(model)\n" }
        out += "time      stage \(HumanNumber.format(r.durationMs)) ms, whole check \(HumanNumber.format(seconds)) s\n"
        if let apply = r.apply {
            if apply.status != "ok" {
                out += "apply     \(apply.status)\n"
            } else if apply.mismatched.isEmpty {
                let compared = (r.added + r.replaced).map(\.name)
                out += "apply     ok on \(apply.rows) holdout rows in \(HumanNumber.format(apply.durationMs)) ms: the same values "
                    + "as run gave them in every column run changed (\(compared.isEmpty ? "none" : compared.joined(separator: ", ")))\n"
            } else {
                out += "apply     DIFFERS from run on the holdout rows in: \(apply.mismatched.joined(separator: ", ")) — "
                    + "a model would score new rows on other features than it was evaluated on\n"
            }
        }
        let why = r.status != "ok" ? r.status
            : r.model.map { !$0.hasPrefix("ok") } == true ? "model.json is \(r.model ?? "")" : "apply did not reproduce run"
        out += r.succeeded ? "\n✓ passed\n" : "\n✗ \(why)\n"
        return out
    }
}
