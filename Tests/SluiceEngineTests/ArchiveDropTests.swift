import Foundation
import SluiceArchive
import SluiceData
import SluiceSystem
import SluiceTestSupport
import Testing

/// Drops that are archives of CSV files, built by Python's tarfile/zipfile
/// (independent of libarchive), read through libarchive as one stream.
@Suite struct ArchiveDropTests {
    /// Writes an archive with Python. `entries` are (name, text, kind) with kind file|symlink.
    func archive(_ directory: TemporaryDirectory, _ name: String, _ entries: [(String, String, String)]) throws -> String {
        let path = directory.path + "/" + name
        let spec = try JSONSerialization.data(withJSONObject: entries.map { [$0.0, $0.1, $0.2] })
        let specPath = try directory.write("spec.json", String(decoding: spec, as: UTF8.self))
        let script = """
            import io, json, sys, tarfile, zipfile
            path, spec = sys.argv[1], json.load(open(sys.argv[2]))
            if path.endswith(".zip"):
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                    for name, text, kind in spec:
                        z.writestr(name, text)
            else:
                with tarfile.open(path, "w:gz") as t:
                    for name, text, kind in spec:
                        info = tarfile.TarInfo(name)
                        if kind == "symlink":
                            info.type, info.linkname = tarfile.SYMTYPE, text
                            t.addfile(info)
                        else:
                            data = text.encode()
                            info.size = len(data)
                            t.addfile(info, io.BytesIO(data))
            """
        let result = try Command.run("/usr/bin/env", ["python3", "-c", script, path, specPath])
        #expect(result.status == 0, "\(result.output)")
        return path
    }

    @Test func csvFilesInATarGzOrZipAreOneTableHashedAsDropped() throws {
        let directory = TemporaryDirectory()
        let part1 = "a,b\n1,x\n2,y\n", part2 = "a,b\r\n3,z\r\n", part3 = "a,b\n4,x"  // no final newline
        for name in ["drop.tar.gz", "drop.zip"] {
            let path = try archive(directory, name, [("jan/p1.csv", part1, "file"), ("jan/p2.csv", part2, "file"),
                                                     ("p3.csv", part3, "file")])
            let result = try DropReader.read(path, options: CSVOptions(threads: 2, chunkBytes: 64))
            #expect(result.table.rowCount == 4, "\(name)")
            guard case .numeric(let a)? = result.table["a"]?.values, case .categorical(let b)? = result.table["b"]?.values else {
                Issue.record("types of \(name)"); continue
            }
            #expect(Array(a.values) == [1, 2, 3, 4])
            #expect((0..<4).map { b.value(at: $0) } == ["x", "y", "z", "x"])
            let sum = try Command.run("/usr/bin/sha256sum", [path]).stdout.prefix(64)
            #expect(result.sha256 == String(sum), "\(name): the hash covers the whole archive file")
        }
    }

    @Test func unsafeOrMismatchedEntriesAreRefusedWithTheEntryNamed() throws {
        let directory = TemporaryDirectory()
        let cases: [(String, [(String, String, String)], String)] = [
            ("abs.tar.gz", [("/etc/x.csv", "a\n1\n", "file")], "entry '/etc/x.csv'"),
            ("dots.tar.gz", [("ok/../../x.csv", "a\n1\n", "file")], "relative entry paths without '..'"),
            ("link.tar.gz", [("a.csv", "a\n1\n", "file"), ("b.csv", "/etc/passwd", "symlink")], "entry 'b.csv' is a link"),
            ("other.zip", [("a.csv", "a\n1\n", "file"), ("run.sh", "echo", "file")], "only .csv, .tsv or .txt files"),
            ("header.zip", [("a.csv", "a,b\n1,2\n", "file"), ("b.csv", "a,c\n1,2\n", "file")],
             "entry 'b.csv' with header 'a,c'"),
            ("empty.tar.gz", [], "at least one CSV or TSV file"),
        ]
        for (name, entries, expected) in cases {
            let path = try archive(directory, name, entries)
            let error = #expect(throws: IngestError.self, "\(name)") { try DropReader.read(path) }
            #expect(error?.description.contains(expected) == true, "\(name): \(String(describing: error))")
        }
        // Past the size limit, however well it compresses.
        let big = try archive(directory, "big.tar.gz", [("a.csv", "a\n" + String(repeating: "1\n", count: 100_000), "file")])
        let error = #expect(throws: IngestError.self) { try DropReader.read(big, options: CSVOptions(maxBytes: 10_000)) }
        #expect(error?.description.contains("at most 10000 bytes (limits.max_drop_bytes)") == true)
    }

    @Test func theDaemonTrainsOnAnArchiveDrop() throws {
        let workspace = try Workspace()
        let text = ChurnData.csv(rows: 900, seed: 4)
        let lines = text.split(separator: "\n").map(String.init)
        let first = ([lines[0]] + lines[1...450]).joined(separator: "\n") + "\n"
        let second = ([lines[0]] + lines[451...]).joined(separator: "\n") + "\n"
        let path = try archive(workspace.directory, "bundle.tar.gz", [("a.csv", first, "file"), ("b.csv", second, "file")])
        try FileSystem.createDirectory(workspace.root + "/inbox/churn")
        try FileSystem.rename(path, to: workspace.root + "/inbox/churn/bundle.tar.gz")
        #expect(try workspace.serve().status == 0)
        #expect(try workspace.count("SELECT rows FROM drops") == 900)
        #expect(workspace.files("archive/churn").contains { $0.hasSuffix(".tar.gz") })
        #expect(try workspace.count("SELECT count(*) FROM models WHERE version = 1") == 1)
    }
}

/// `limits:` on drop size, rows and field length, from the config, refuse a drop with the limit named.
@Suite struct DropLimitTests {
    @Test func aDropPastTheConfiguredRowLimitIsQuarantinedWithTheLimitNamed() throws {
        let workspace = try Workspace(pipelineExtra: "    limits: {max_rows: 100, max_field_bytes: 64}")
        try workspace.drop("big.csv", ChurnData.csv(rows: 500, seed: 81))
        try workspace.drop("wide.csv", "a,churned\n\(String(repeating: "x", count: 100)),yes\n")
        #expect(try workspace.serve().status == 0)
        let reasons = try workspace.strings("SELECT outcome_reason FROM drops ORDER BY file_name")
        #expect(reasons.first?.contains("at most 100 rows (limits.max_rows)") == true, "\(reasons)")
        #expect(reasons.last?.contains("fields of at most 64 bytes (limits.max_field_bytes)") == true, "\(reasons)")
    }
}
