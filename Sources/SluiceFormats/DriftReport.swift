/// `drift.json`, written by the validate stage: every feature's score against
/// the champion's training profile and the share of features that drifted.
public struct DriftReport: Codable, Equatable, Sendable {
    public var scores: [DriftScore]
    public var driftedShare: Double

    public init(scores: [DriftScore], driftedShare: Double) {
        self.scores = scores
        self.driftedShare = driftedShare
    }

    public static func decode(_ bytes: [UInt8], file: String = "drift.json") throws -> DriftReport {
        try FormatCoding.decode(DriftReport.self, from: bytes, file: file)
    }
}
