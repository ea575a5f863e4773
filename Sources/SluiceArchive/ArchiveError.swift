/// A libarchive failure: what was being done, on which file, and libarchive's text.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let message: String

    public var description: String { "\(operation) \(path): \(message)" }
}
