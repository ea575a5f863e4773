/// A plugin's identity as recorded with each stage run.
public struct PluginIdentity: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    public var path: String
    public var sha256: String

    public init(name: String, version: String, path: String, sha256: String) {
        self.name = name
        self.version = version
        self.path = path
        self.sha256 = sha256
    }
}
