/// A regular file inside an archive.
public struct ArchiveMember: Sendable, Equatable {
    /// Relative path inside the archive (no leading `/`, no `..`).
    public let name: String
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }
}
