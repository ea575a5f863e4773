import SluiceConfig
import SluiceLedger
import SluiceSystem

/// The `metrics_file` (Prometheus text format, from the ledger), written the
/// safe way; nothing when the configuration names none. The daemon writes it
/// after every run; commands that change what is served write it too.
public enum MetricsFile {
    public static func write(configuration: SluiceConfiguration, ledger: SQLLedger) throws {
        guard let path = configuration.metricsFile else { return }
        try FileSystem.createDirectory(FileSystem.directory(of: path))
        try FileSystem.writeAtomically(try PrometheusMetrics.render(ledger: ledger,
                                                                    pipelines: configuration.pipelines.map(\.name)),
                                       to: path)
    }
}
