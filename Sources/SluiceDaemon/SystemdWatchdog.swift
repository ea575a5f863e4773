import ServiceLifecycle

/// The watchdog keep-alive (`WATCHDOG=1` every half `$WATCHDOG_USEC`), sent
/// only after the ``Scheduler`` has answered for its status: a scheduler
/// stuck in a call stops the keep-alives, and systemd restarts the daemon.
/// Without a watchdog it only waits for the shutdown.
struct SystemdWatchdog: Service {
    let context: DaemonContext
    let scheduler: Scheduler

    func run() async throws {
        guard let interval = context.notifier.watchdogInterval else {
            try await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully {
            let status = await scheduler.statusText()
            context.notifier.status(status)
            context.notifier.send("WATCHDOG=1")
            // Ends early (throwing) on graceful shutdown or cancellation: then this service is done.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) } } catch { return }
        }
    }
}
