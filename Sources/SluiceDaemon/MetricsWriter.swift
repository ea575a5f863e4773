import ServiceLifecycle
import SluiceConfig
import SluiceSystem

/// Writes `metrics_file` (Prometheus text format, from the ledger) after
/// every finished run and at stop; several changes while it writes make one
/// write. Nothing is written when the configuration names no file.
struct MetricsWriter: Service {
    let context: DaemonContext
    private let changes: AsyncStream<SluiceConfiguration>
    private let continuation: AsyncStream<SluiceConfiguration>.Continuation

    init(context: DaemonContext, configuration: SluiceConfiguration) {
        self.context = context
        (changes, continuation) = AsyncStream.makeStream(of: SluiceConfiguration.self, bufferingPolicy: .bufferingNewest(1))
        continuation.yield(configuration)
    }

    /// The ledger changed (a run ended) or the configuration did.
    func changed(_ configuration: SluiceConfiguration) { continuation.yield(configuration) }

    func run() async throws {
        var latest: SluiceConfiguration?
        for await configuration in changes.cancelOnGracefulShutdown() {
            latest = configuration
            write(configuration)
        }
        // The runs that ended while the daemon stopped.
        if let latest { write(latest) }
    }

    private func write(_ configuration: SluiceConfiguration) {
        do {
            try MetricsFile.write(configuration: configuration, ledger: context.ledger)
        } catch {
            context.logger.warning("could not write metrics to \(configuration.metricsFile ?? ""): \(error)")
        }
    }
}
