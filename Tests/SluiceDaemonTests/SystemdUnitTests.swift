import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The shipped unit passes `systemd-analyze verify` with nothing on stderr and
/// scores 2.0 or lower in `systemd-analyze security --offline=yes`.
@Suite(.enabled(if: FileSystem.exists("/usr/bin/systemd-analyze") || FileSystem.exists("/bin/systemd-analyze"),
                "systemd-analyze is not installed"))
struct SystemdUnitTests {
    static let analyze = FileSystem.exists("/usr/bin/systemd-analyze") ? "/usr/bin/systemd-analyze" : "/bin/systemd-analyze"

    /// The unit with ExecStart pointing at the binary this build made (verify checks it exists).
    func unit() throws -> (TemporaryDirectory, String) {
        var root = #filePath
        for _ in 0..<3 { root = FileSystem.directory(of: root) }
        let text = try FileSystem.readText(root + "/systemd/sluice.service")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("ExecStart=") ? "ExecStart=\(BuildProducts.sluice) serve --config /etc/sluice/sluice.yaml" : String($0) }
            .joined(separator: "\n")
        let directory = TemporaryDirectory()
        return (directory, try directory.write("sluice.service", text))
    }

    @Test func verifyPrintsNothing() throws {
        let (directory, path) = try unit()
        let result = try Command.run(Self.analyze, ["verify", path], in: directory.path)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "systemd-analyze verify said: \(result.stderr)")
    }

    @Test func exposureIsTwoOrLower() throws {
        let (directory, path) = try unit()
        let result = try Command.run(Self.analyze, ["security", "--offline=yes", path], in: directory.path)
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") },
                                "no overall line in: \(result.output)")
        let number = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        let score = try #require(number, "cannot read a score from: \(line)")
        #expect(score <= 2.0, "\(line)")
    }
}
