import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Nothing sits in an inbox unrecorded (issue 18, "odd entries"): a symlink,
/// a FIFO, a socket, a name with a newline or with bytes that are not UTF-8
/// are each moved to quarantine as the entry itself with a reason and a
/// ledger row; a folder is warned about once; a bad drop with a 250-byte name
/// still gets its `.reason`; the daemon keeps serving throughout.
@Suite struct InboxEntryTests {
    func makeSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw DaemonTestError("bind \(path): errno \(errno)") }
        return fd
    }

    @Test func oddEntriesAreMovedOutWithAReasonAndAFolderIsWarnedAboutOnce() throws {
        let space = try Workspace()
        try space.writeConfig(daemonConfig([fixturePipeline("churn", modes: ["approve"])]))
        let inbox = space.root + "/inbox/churn"
        try FileSystem.createDirectory(inbox)
        #expect(symlink("/etc/passwd", inbox + "/passwd.csv") == 0)
        #expect(mkfifo(inbox + "/pipe.csv", 0o644) == 0)
        let socketFd = try makeSocket(inbox + "/socket.csv")
        defer { close(socketFd) }
        try FileSystem.createDirectory(inbox + "/folder")
        try FileSystem.writeAtomically(ChurnData.csv(rows: 40, seed: 1), to: inbox + "/two\nlines.csv")
        // A name that is not UTF-8: "bad" 0xff 0xfe ".csv".
        let raw: [UInt8] = Array((inbox + "/bad").utf8) + [0xff, 0xfe] + Array(".csv".utf8)
        let fd = open(raw.map { CChar(bitPattern: $0) } + [0], O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0)
        close(fd)
        let long = String(repeating: "l", count: 246) + ".csv"
        let longFd = open(inbox + "/" + long, O_WRONLY | O_CREAT, 0o644)
        #expect(longFd >= 0)
        _ = "x,y\n1\n".withCString { write(longFd, $0, 6) }   // ragged: ingest quarantines it
        close(longFd)
        try FileSystem.writeAtomically(ChurnData.csv(rows: 40, seed: 2), to: inbox + "/good.csv")

        let daemon = try space.startDaemon()
        #expect(eventually { (try? space.finishedDrops()) == 7 }, "\(daemon.log)")
        // Later, through inotify rather than the start-up scan: another symlink.
        #expect(symlink("/etc/hostname", inbox + "/late.csv") == 0)
        #expect(eventually { (try? space.finishedDrops()) == 8 }, "\(daemon.log)")

        #expect(try FileSystem.list(inbox) == ["folder"])
        let reasons = try space.strings("SELECT file_name || ': ' || outcome || ': ' || outcome_reason FROM drops ORDER BY file_name")
        func reason(_ file: String) -> String { reasons.first { $0.hasPrefix(file + ": ") } ?? "missing \(file) in \(reasons)" }
        #expect(reason("passwd.csv").contains("quarantined: refused: a symbolic link (to /etc/passwd), not a file"))
        #expect(reason("late.csv").contains("quarantined: refused: a symbolic link (to /etc/hostname)"))
        #expect(reason("pipe.csv").contains("quarantined: refused: a FIFO (named pipe), not a file"))
        #expect(reason("socket.csv").contains("quarantined: refused: a socket, not a file"))
        #expect(reason("two\nlines.csv").contains("refused: the file name contains control characters (two\\nlines.csv)"))
        #expect(reason("bad%FF%FE.csv").contains("refused: the file name is not valid UTF-8"))
        #expect(reason(long).contains("quarantined: "))
        #expect(reason("good.csv") == "good.csv: archived: model v1 approved and published")
        #expect(try space.count("SELECT count(*) FROM drops WHERE outcome = 'claimed'") == 0)

        // The link itself went to quarantine, never its target; each entry has its .reason.
        let quarantine = space.root + "/quarantine/churn"
        let moved = try FileSystem.list(quarantine)
        let link = try #require(moved.first { $0.hasSuffix("-passwd.csv") })
        var info = stat()
        #expect(lstat(quarantine + "/" + link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
        for entry in moved where !entry.hasSuffix(".reason") {
            #expect(moved.contains(entry + ".reason"), "\(entry) has no .reason")
        }
        #expect(moved.contains { $0.utf8.count <= 255 && $0.contains("~") && $0.hasSuffix(".csv.reason") })

        // One warning for the folder, though the inbox was scanned more than once.
        #expect(daemon.log.components(separatedBy: "is a folder: sluice takes files only").count - 1 == 1, "\(daemon.log)")
        #expect(try space.count("SELECT count(*) FROM events WHERE kind = 'inbox.folder'") == 1)
        #expect(daemon.process.isRunning)
        #expect(daemon.stop() == 0)
    }
}
