import Foundation

/// What a fuzz target's executable does when it is built without libFuzzer
/// (a normal `swift build`): runs every file named on the command line (or
/// every file in the folders named) through the target's harness once — the
/// regression run of the cases fuzzing found (Tests/Fuzz/regressions). A
/// harness that crashes fails the process, which is the point.
public enum FuzzReplay {
    public static func main(_ harness: ([UInt8]) -> Void) {
        var files: [String] = []
        for argument in CommandLine.arguments.dropFirst() {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("no such file or folder: \(argument)\n".utf8))
                exit(2)
            }
            if isFolder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { argument + "/" + $0 }
            } else {
                files.append(argument)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            harness(Array(data))
        }
        print("replayed \(files.count) inputs without a crash")
    }
}

/// A scratch folder for harnesses that must hand a file to the code under test.
public enum FuzzScratch {
    public static let folder: String = {
        let path = NSTemporaryDirectory() + "/sluice-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Writes `bytes` to the scratch folder under `name`; returns the path.
    public static func write(_ bytes: [UInt8], name: String) -> String {
        let path = folder + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// libFuzzer's driver. SwiftPM links an executable with its `main` renamed
/// to `<module>_main`, so each fuzz target defines that symbol and hands over
/// here, instead of relying on libFuzzer's own `main`.
public enum FuzzDriver {
    public static func run(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                           _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
        var count = argc
        var vector = argv
        return LLVMFuzzerRunDriver(&count, &vector, callback)
    }
}
#endif
