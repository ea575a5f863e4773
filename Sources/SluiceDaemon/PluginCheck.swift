/// Checks a configuration's plugins in a child (`sluice check`), at start and
/// on SIGHUP: loading a plugin runs its initializers, which the long-lived
/// daemon must not host (and each reload would keep a descriptor open).
enum PluginCheck {
    /// - Throws: ``DaemonError`` with what `sluice check` said when it did not pass.
    static func run(_ configFile: String, context: DaemonContext) async throws {
        let (status, output) = try await ChildProcess.run(context.executable, ["check", "--config", configFile])
        guard status != 0 else { return }
        let said = output.split(separator: "\n").map { $0.trimmingPrefix("Error: ") }.joined(separator: "; ")
        let how = (status & 0x7f) == 0 ? "exited with status \((status >> 8) & 0xff)" : "was killed by signal \(status & 0x7f)"
        throw DaemonError("plugin check failed (sluice check \(how)): \(said.isEmpty ? "no output" : said)")
    }
}
