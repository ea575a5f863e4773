/// Why a column cache file cannot be used (it is then rebuilt from the CSV).
public struct ColumnCacheError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "column cache \(path) \(reason)" }
}
