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
        var text = try PrometheusMetrics.render(ledger: ledger, pipelines: configuration.pipelines.map(\.name))
        if ledger.isShared {
            // A shared ledger's totals are every host's; these lines say which host wrote the file.
            let held = try ledger.heldClaims(host: configuration.host).count
            text += """
                # HELP sluice_host_info The host this daemon records its runs and claims as (a shared ledger).
                # TYPE sluice_host_info gauge
                sluice_host_info{host="\(configuration.host)"} 1
                # HELP sluice_host_claims_held Drops this host holds claims on now (running or about to).
                # TYPE sluice_host_claims_held gauge
                sluice_host_claims_held{host="\(configuration.host)"} \(held)

                """
        }
        try FileSystem.writeAtomically(text, to: path)
    }
}
