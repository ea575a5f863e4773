import Logging
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluiceSystem

/// What every service of the daemon shares: the ledger, the log, the
/// systemd notifier, and how to start a `sluice` child.
struct DaemonContext: Sendable {
    let configPath: String
    let ledger: SQLLedger
    let logger: Logger
    let notifier: SystemdNotifier
    /// This program (for `sluice work` and `sluice check` children).
    let executable: String

    /// Records a daemon-level event; a ledger that cannot take it is said in
    /// the log (the daemon keeps serving: the journal still has the event).
    func recordEvent(level: EventLevel, kind: String, pipeline: String? = nil, dropId: Int64? = nil,
                     runId: Int64? = nil, message: String) {
        do {
            try ledger.recordEvent(level: level, kind: kind, pipeline: pipeline, dropId: dropId, runId: runId, message: message)
        } catch {
            logger.error("could not record event \(kind) in the ledger: \(error) (event: \(message))")
        }
    }

    /// The drops waiting in `pipeline`'s inbox; an inbox that cannot be read
    /// is an error in the log and the ledger, not an empty inbox.
    func scanInbox(_ pipeline: PipelineConfiguration) -> [String] { scanInbox(pipeline.inbox, pipeline: pipeline.name) }

    /// The drops waiting in one of a pipeline's inboxes (training, scoring or labels).
    func scanInbox(_ folder: String, pipeline: String) -> [String] {
        do {
            return try InboxScanner.scan(folder)
        } catch {
            logger.error("[\(pipeline)] cannot read inbox \(folder): \(error)")
            recordEvent(level: .error, kind: "inbox.unreadable", pipeline: pipeline,
                        message: "cannot read inbox \(folder): \(error)")
            return []
        }
    }
}
