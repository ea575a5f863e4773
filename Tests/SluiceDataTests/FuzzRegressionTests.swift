import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// Every input fuzzing found (Tests/Fuzz/regressions/<target>/) and every
/// seed replays through its fuzz target's harness without a crash — the fuzz
/// executables, built normally, are replayers (Tests/Fuzz/Support).
@Suite struct FuzzRegressionTests {
    static let fuzz = FileSystem.normalize(FileSystem.directory(of: #filePath) + "/../Fuzz")

    @Test(arguments: ["drop", "config", "archive", "formats"])
    func savedInputsReplayWithoutACrash(target: String) throws {
        var inputs = [Self.fuzz + "/regressions/" + target]
        if FileSystem.isDirectory(Self.fuzz + "/seeds/" + target) { inputs.append(Self.fuzz + "/seeds/" + target) }
        let replay = try Command.run(BuildProducts.directory + "/sluice-fuzz-" + target, inputs)
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.stdout.contains("without a crash"), "\(replay.output)")
    }
}
