/// An archived drop that can join a training window.
public struct WindowDrop: Sendable, Equatable {
    public var id: Int64
    public var fileName: String
    public var path: String
    public var sha256: String
    public var receivedAt: String
    /// The checksum of its column cache as written (`adler32:<hex>:<bytes>`), if one was.
    public var columnsChecksum: String? = nil
}
