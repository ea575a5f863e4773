import Foundation
import SluiceSystem

/// A real folder under the system temp folder, removed with everything in it
/// when the value is deinitialized.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "sluice-test") {
        var template = Array("\(NSTemporaryDirectory())/\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = FileSystem.normalize(String(cString: template))
    }

    /// `path/relative`.
    public func url(_ relative: String) -> String { path + "/" + relative }

    /// Writes text to `relative`, creating folders.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        let file = url(relative)
        try FileSystem.createDirectory(FileSystem.directory(of: file))
        try FileSystem.writeAtomically(text, to: file)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
