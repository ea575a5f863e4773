import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The text and JSON report of a ledger built by real runs of inbox-example/,
/// against committed golden files (times, durations, hashes, run keys and
/// paths normalized). `SLUICE_UPDATE_GOLDEN=1 swift test --filter ReportGolden`
/// rewrites them after a deliberate change.
@Suite struct ReportGoldenTests {
    static let golden = FileSystem.directory(of: #filePath) + "/Golden"

    static func normalize(_ text: String, root: String) -> String {
        var out = text.replacingOccurrences(of: root, with: "<root>")
        let rules: [(String, String)] = [
            (#"\d{8}T\d{6}Z-[a-z0-9-]+-[0-9a-f]{1,8}"#, "<run-key>"),
            (#"[0-9a-f]{64}"#, "<sha256>"),
            (#"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?"#, "<time>"),
            (#""duration_ms" : [0-9.e+-]+"#, #""duration_ms" : <ms>"#),
            (#"\d+(\.\d+)? (ms|s)\b"#, "<duration>"),
            (#""host" : "[^"]*""#, #""host" : "<host>""#),
        ]
        for (pattern, replacement) in rules {
            out = out.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return out
    }

    @Test func theExampleReportsMatchTheirGoldenFiles() throws {
        let folder = TemporaryDirectory("sluice-golden")
        let root = folder.url("example")
        #expect(try Command.run("/bin/cp", ["-R", FileSystem.directory(of: Self.golden) + "/../../inbox-example", root]).status == 0)
        let config = root + "/sluice.yaml"
        let served = try Command.sluice(["serve", "--once", "--config", config], in: root)
        #expect(served.status == 0, "\(served.output)")
        for (format, file) in [("text", "report.txt"), ("json", "report.json")] {
            // Wide, so a slower machine's longer durations never wrap a line differently.
            let result = try Command.sluice(["report", "--config", config, "--format", format, "--width", "200"], in: root)
            #expect(result.status == 0, "\(result.output)")
            let actual = Self.normalize(result.stdout, root: FileSystem.realPath(root) ?? root)
            let path = Self.golden + "/" + file
            if ProcessInfo.processInfo.environment["SLUICE_UPDATE_GOLDEN"] == "1" {
                try FileSystem.createDirectory(Self.golden)
                try FileSystem.writeAtomically(actual, to: path)
                continue
            }
            let expected = try FileSystem.readText(path)
            #expect(actual == expected, "\(file) differs from the golden file; the report now says:\n\(actual)")
        }
    }
}
