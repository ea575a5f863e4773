import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The hostile-drop corpus (Tests/Corpus: make_hostile.py writes the cases,
/// expected.tsv says what each must get), dropped into a running daemon, one
/// pipeline per case so no case's outcome depends on another's: each ends
/// quarantined with its exact reason (file, line, column where they apply) or
/// archived, nothing is left behind, and the daemon serves throughout.
@Suite struct HostileCorpusTests {
    static let corpus = FileSystem.normalize(FileSystem.directory(of: #filePath) + "/../Corpus")

    struct Case {
        let name: String
        let outcome: String
        let reason: String
    }

    static func expected() throws -> [Case] {
        try FileSystem.readText(corpus + "/expected.tsv").split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(name: fields[0], outcome: fields[1], reason: fields.count > 2 ? fields[2] : "")
        }
    }

    @Test func everyHostileDropGetsItsOutcomeAndTheDaemonStaysUp() throws {
        let cases = try Self.expected()
        #expect(cases.count >= 22)
        let space = try Workspace()
        let pipelines = cases.map { item in
            """
              \(item.name):
                target: churned
                seed: 42
                limits: {max_drop_bytes: 50000000}
                stages:
                  - plugin: validate
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate

            """
        }
        try space.writeConfig(daemonConfig(pipelines))
        let made = space.root + "/corpus"
        let generate = try Command.run("/usr/bin/env", ["python3", Self.corpus + "/make_hostile.py", made])
        try #require(generate.status == 0, "\(generate.output)")

        let daemon = try space.startDaemon()
        for item in cases {
            let file = try #require(try FileSystem.list(made + "/" + item.name).first, "case \(item.name) made no file")
            // The producer's way: the whole file, then a rename into the inbox.
            try FileSystem.rename(made + "/" + item.name + "/" + file, to: space.root + "/inbox/\(item.name)/\(file)")
        }
        #expect(eventually(timeout: 180) { (try? space.finishedDrops()) == cases.count }, "\(daemon.log)")
        for item in cases {
            let rows = try space.strings("SELECT outcome || char(9) || coalesce(outcome_reason, '') FROM drops WHERE pipeline = ?",
                                         [item.name])
            #expect(rows.count == 1, "\(item.name): \(rows)")
            let fields = (rows.first ?? "").split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            #expect(fields.first == item.outcome, "\(item.name): \(rows)")
            #expect(item.reason.isEmpty || (fields.last ?? "").contains(item.reason), "\(item.name): \(rows)")
            #expect(space.files("inbox/\(item.name)").isEmpty, "\(item.name) left in its inbox")
        }
        #expect(space.files("work").isEmpty)
        #expect(try space.count("SELECT count(*) FROM drops WHERE outcome = 'claimed'") == 0)
        // Every quarantined drop has its reason beside it.
        for item in cases where item.outcome == "quarantined" {
            let moved = space.files("quarantine/\(item.name)")
            #expect(moved.count == 2 && moved.contains { $0.hasSuffix(".reason") }, "\(item.name): \(moved)")
        }
        #expect(daemon.process.isRunning)
        #expect(try space.report().status == 0)
        #expect(daemon.stop() == 0)
    }
}
