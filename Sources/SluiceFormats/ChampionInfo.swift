/// `champion/info.json`, handed by the host to the evaluate stage beside
/// `champion/scores.f64` (`width` little-endian Doubles per row): which model
/// is in service, and either its output shape or why it could not score this
/// drop. Absent when there is no champion yet. Never published.
public struct ChampionInfo: Codable, Equatable, Sendable {
    public var version: Int
    public var archive: String
    /// Why the champion could not score the drop; nil when `champion/scores.f64` holds its scores.
    public var error: String?
    public var width: Int?
    public var classes: [String]?

    public init(version: Int, archive: String, error: String?, width: Int?, classes: [String]?) {
        self.version = version
        self.archive = archive
        self.error = error
        self.width = width
        self.classes = classes
    }

    public func encoded() throws -> [UInt8] { Array(try FormatCoding.compactEncoder().encode(self)) }

    /// - Throws: ``FormatError`` naming the file: a champion that cannot be read is an error, not "no champion".
    public static func decode(_ bytes: [UInt8], file: String = "champion/info.json") throws -> ChampionInfo {
        try FormatCoding.decode(ChampionInfo.self, from: bytes, file: file)
    }
}
