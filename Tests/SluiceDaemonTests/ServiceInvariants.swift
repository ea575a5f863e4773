import Foundation
import GRDB
import SluiceSystem
import SluiceTestSupport
import Testing

/// What must hold after any crash once the daemon has started again and
/// settled (docs/reliability.md): every drop in exactly one of archive/ or
/// quarantine/ with its final ledger row; nothing in inbox/ or work/; the
/// outbox only complete archives that `sluice verify` accepts; `current` the
/// highest version the ledger has in service; the ledger's integrity ok.
enum ServiceInvariants {
    static func check(_ space: Workspace, pipeline: String = "churn", drops expected: Int, _ context: String) throws {
        let inbox = space.files("inbox/\(pipeline)")
        #expect(inbox.isEmpty, "\(context): left in the inbox: \(inbox)")
        let work = (try? FileSystem.list(space.root + "/work")) ?? []
        #expect(work.isEmpty, "\(context): left in work/: \(work)")
        let rows = try space.ledger().read { db in
            try Row.fetchAll(db, sql: "SELECT file_name, outcome, final_path FROM drops WHERE pipeline = ?", arguments: [pipeline])
        }
        #expect(rows.count == expected, "\(context): \(rows.count) drop rows for \(expected) drops")
        var placed = Set<String>()
        for row in rows {
            let outcome: String = row["outcome"]
            let path: String? = row["final_path"]
            #expect(["archived", "quarantined"].contains(outcome), "\(context): \(row["file_name"] as String) is \(outcome)")
            if let path {
                #expect(FileSystem.exists(path), "\(context): \(path) is not there")
                placed.insert(FileSystem.baseName(path))
            }
        }
        let archived = space.files("archive/\(pipeline)").filter { !$0.hasSuffix(".reason") }
        let quarantined = space.files("quarantine/\(pipeline)").filter { !$0.hasSuffix(".reason") }
        // Same content twice shares one archive file; every file on disk is some row's.
        for file in archived + quarantined {
            #expect(placed.contains(file), "\(context): \(file) has no ledger row")
        }
        for file in quarantined {
            #expect(space.files("quarantine/\(pipeline)").contains(file + ".reason"), "\(context): \(file) has no .reason")
        }
        #expect(try space.count("SELECT count(*) FROM runs WHERE status = 'running'") == 0, "\(context): a run still running")
        #expect(try space.count("SELECT count(*) FROM models WHERE publication = 'publishing'") == 0, "\(context)")

        let outbox = space.root + "/outbox/\(pipeline)"
        let published = try space.ledger().read { db in
            try Row.fetchAll(db, sql: "SELECT version, archive_path, archive_sha256 FROM models WHERE pipeline = ? AND publication = 'published'",
                             arguments: [pipeline])
        }
        let archives = ((try? FileSystem.list(outbox)) ?? []).filter { $0.hasPrefix("\(pipeline)-v") }
        #expect(archives.count == published.count, "\(context): archives \(archives), published rows \(published.count)")
        #expect(((try? FileSystem.list(outbox)) ?? []).allSatisfy { !$0.hasSuffix(".tmp") }, "\(context): a temp file in the outbox")
        for row in published {
            let path: String = row["archive_path"]
            #expect(try ContentHash.sha256(file: path) == row["archive_sha256"] as String, "\(context): \(path) changed")
            let verify = try Command.sluice(["verify", path, "--config", space.config])
            #expect(verify.status == 0, "\(context): sluice verify \(path): \(verify.output)")
        }
        let champion = try space.strings("SELECT archive_path FROM current_models WHERE pipeline = ?", [pipeline]).first
        #expect(FileSystem.symlinkTarget(outbox + "/current.tar.gz") == champion.map(FileSystem.baseName), "\(context): current")
        if let highest = published.map({ $0["version"] as Int }).max() {
            #expect(champion?.hasSuffix("-v\(highest).tar.gz") == true, "\(context): current is not the newest version")
        }
        #expect(try space.ledger().read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok", "\(context)")
    }
}
