import Foundation
import SluiceSystem
import SluiceTestSupport

/// YAML for one pipeline whose stages are test fixtures (fast, no training).
func fixturePipeline(_ name: String, modes: [String], limits: String = "", seconds: Int = 2) -> String {
    var text = """
      \(name):
        target: churned
        seed: 1

    """
    if !limits.isEmpty { text += "    limits: \(limits)\n" }
    text += "    stages:\n"
    for (index, mode) in modes.enumerated() {
        text += "      - plugin: fixture-misbehave\n        name: step\(index)-\(mode)\n"
        text += "        params: {mode: \(mode), seconds: \(seconds)}\n"
    }
    return text
}

/// A full config with the given pipeline blocks.
func daemonConfig(_ pipelines: [String], workers: Int = 2) -> String {
    """
    state_dir: .
    plugin_path: [\(BuildProducts.directory)]
    workers: \(workers)
    settle_seconds: 2
    metrics_file: metrics/sluice.prom
    pipelines:
    \(pipelines.joined())
    """
}

extension Workspace {
    /// Starts `sluice serve` on this workspace and waits until it is watching.
    func startDaemon(environment: [String: String] = [:]) throws -> DaemonProcess {
        let daemon = try DaemonProcess(config: config, logPath: root + "/daemon.log", environment: environment)
        guard eventually(timeout: 60, { daemon.log.contains("; ready") || !daemon.process.isRunning }) else {
            throw DaemonTestError("daemon did not become ready:\n\(daemon.log)")
        }
        guard daemon.process.isRunning else { throw DaemonTestError("daemon exited:\n\(daemon.log)") }
        return daemon
    }

    /// Drops that reached a final place.
    func finishedDrops() throws -> Int {
        try count("SELECT count(*) FROM drops WHERE outcome != 'claimed'")
    }

    /// Whether the ledger exists yet.
    var hasLedger: Bool { FileSystem.exists(root + "/ledger.sqlite") }
}

struct DaemonTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
