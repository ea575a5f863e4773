import ServiceLifecycle
import SluiceConfig

/// SIGHUP: re-reads the configuration, checks its plugins in a child, and
/// hands it to the ``Scheduler`` and the ``InboxWatcher``. Running work
/// finishes on the old configuration; a broken new one is refused (logged
/// and recorded as `config.reload_failed`) and the old one kept. Says
/// RELOADING and then READY to systemd.
struct ConfigReloader: Service {
    let context: DaemonContext
    let scheduler: Scheduler
    let watcher: InboxWatcher
    let requests: AsyncStream<Void>

    func run() async throws {
        for await _ in requests.cancelOnGracefulShutdown() { await reload() }
    }

    private func reload() async {
        context.notifier.reloading()
        do {
            let current = await scheduler.configuration
            let next = try ConfigLoader.load(context.configPath)
            guard next.stateDirectory == current.stateDirectory else {
                throw DaemonError("state_dir changed from \(current.stateDirectory) to \(next.stateDirectory); restart sluice to move it")
            }
            guard next.ledgerLocation == current.ledgerLocation, next.host == current.host else {
                throw DaemonError("ledger or host changed (\(current.host) at \(current.ledgerLocation) → \(next.host) at "
                                  + "\(next.ledgerLocation)); restart sluice to change them")
            }
            try await PluginCheck.run(next.file, context: context)
            await scheduler.apply(next)
            await watcher.watch(next)
            let names = next.pipelines.map(\.name).joined(separator: ", ")
            context.logger.info("configuration reloaded: \(next.pipelines.count) pipeline\(next.pipelines.count == 1 ? "" : "s") (\(names))")
            context.recordEvent(level: .info, kind: "config.reloaded",
                                message: "configuration reloaded from \(next.file) (sha256 \(next.sha256.prefix(12))…)")
        } catch {
            context.logger.error("reload refused, keeping the running configuration: \(error)")
            context.recordEvent(level: .error, kind: "config.reload_failed", message: "\(error)")
        }
        context.notifier.send("READY=1", "STATUS=\(await scheduler.statusText())")
    }
}
