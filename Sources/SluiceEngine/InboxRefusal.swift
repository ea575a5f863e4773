import Logging
import SluiceConfig
import SluiceData
import SluiceLedger
import SluiceSystem

/// Moves an inbox entry that is not a drop — a symlink, FIFO, socket, or a
/// file whose name is refused — out of the inbox into quarantine: the entry
/// itself (a link is moved as a link; its target is never opened), with its
/// `.reason` and a ledger row, like any refused drop.
public enum InboxRefusal {
    /// Whether the inbox entry at `path` is a drop to claim. Anything else is
    /// dealt with here, never left unrecorded: a symlink, FIFO, socket or
    /// refused name is quarantined; names that are not UTF-8 are found by
    /// their bytes and quarantined; a folder is warned about once (tracked in
    /// `warnedFolders`); an entry gone before its claim is logged.
    public static func admit(_ path: String, pipeline: String, kind: DropKind, warnedFolders: inout Set<String>,
                             configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) -> Bool {
        let name = FileSystem.baseName(path)
        switch InboxEntry.classify(path) {
        case .drop:
            return true
        case .gone where name.unicodeScalars.contains("\u{FFFD}"):
            refuseInvalidNames(in: FileSystem.directory(of: path), pipeline: pipeline, kind: kind,
                               configuration: configuration, ledger: ledger, logger: logger)
        case .gone:
            logger.info("[\(pipeline)] \(MessageText.escaped(name)) was gone before it could be claimed (moved away or deleted by its writer)")
        case .folder:
            guard warnedFolders.insert(path).inserted else { return false }
            let message = "\(path) is a folder: sluice takes files only and does not look inside folders in an inbox; move it out"
            logger.warning("[\(pipeline)] \(message)")
            record(message, kind: "inbox.folder", pipeline: pipeline, ledger: ledger, logger: logger)
        case .refused(let reason):
            do {
                try refuse(path, reason: reason, pipeline: pipeline, kind: kind, configuration: configuration,
                           ledger: ledger, logger: logger)
            } catch {
                let message = "could not move \(MessageText.escaped(name)) (\(reason)) out of the inbox: \(error)"
                logger.error("[\(pipeline)] \(message)")
                record(message, kind: "inbox.refusal_failed", pipeline: pipeline, ledger: ledger, logger: logger)
            }
        }
        return false
    }

    /// Quarantines every entry of `folder` whose name is not valid UTF-8.
    static func refuseInvalidNames(in folder: String, pipeline: String, kind: DropKind,
                                   configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) {
        do {
            for raw in try InboxScanner.invalidNames(folder) {
                let shown = displayName(raw)
                try refuse(folder + "/" + shown, rawPath: Array(folder.utf8) + [UInt8(ascii: "/")] + raw,
                           reason: "the file name is not valid UTF-8 (shown here with each invalid byte as %XX): \(shown)",
                           pipeline: pipeline, kind: kind, configuration: configuration, ledger: ledger, logger: logger)
            }
        } catch {
            let message = "could not move a file whose name is not UTF-8 out of \(folder): \(error)"
            logger.error("[\(pipeline)] \(message)")
            record(message, kind: "inbox.refusal_failed", pipeline: pipeline, ledger: ledger, logger: logger)
        }
    }

    private static func record(_ message: String, kind: String, pipeline: String, ledger: any Ledger, logger: Logger) {
        do {
            try ledger.recordEvent(level: kind == "inbox.folder" ? .warning : .error, kind: kind, pipeline: pipeline,
                                   dropId: nil, runId: nil, message: message)
        } catch {
            logger.error("[\(pipeline)] could not record in the ledger: \(message): \(error)")
        }
    }

    /// Quarantines `path` (or, for a name that is not UTF-8, the entry at `rawPath`).
    public static func refuse(_ path: String, rawPath: [UInt8]? = nil, reason: String, pipeline: String, kind: DropKind,
                              configuration: SluiceConfiguration, ledger: any Ledger, logger: Logger) throws {
        let claim = try DropClaim.claim(path, pipeline: pipeline, workRoot: configuration.workDirectory, kind: kind,
                                        rawSource: rawPath)
        try Recovery.quarantineLeftover(claim, dropId: nil, reason: "refused: \(reason)",
                                               configuration: configuration, ledger: ledger, logger: logger)
    }

    /// A readable stand-in for a name that is not valid UTF-8: each invalid
    /// byte as `%XX`.
    public static func displayName(_ raw: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < raw.count {
            // The longest valid UTF-8 sequence starting here, else one escaped byte.
            var taken = false
            for length in (1...4).reversed() where index + length <= raw.count {
                if let text = String(validating: raw[index..<(index + length)], as: UTF8.self), text.count == 1 {
                    out += text
                    index += length
                    taken = true
                    break
                }
            }
            if !taken {
                let hex = String(raw[index], radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
                index += 1
            }
        }
        return out
    }
}
