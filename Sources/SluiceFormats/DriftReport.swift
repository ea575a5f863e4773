/// `drift.json`, written by the validate stage: every feature's score against
/// the champion's training profile and the share of features that drifted.
public struct DriftReport: Codable, Equatable, Sendable {
    public var scores: [DriftScore]
    public var driftedShare: Double
    /// The stage's `drift_policy` (warn, reject or retrain) and the share it acts at.
    public var policy: String?
    public var maxDriftedShare: Double?
    /// `drift_policy: retrain` and the share reached: the champion was trained
    /// on data that has moved away, so the host drops the champion comparison
    /// and only the absolute rules decide. The validate stage alone decides it.
    public var waivesChampion: Bool?

    public init(scores: [DriftScore], driftedShare: Double, policy: String? = nil, maxDriftedShare: Double? = nil,
                waivesChampion: Bool? = nil) {
        self.scores = scores
        self.driftedShare = driftedShare
        self.policy = policy
        self.maxDriftedShare = maxDriftedShare
        self.waivesChampion = waivesChampion
    }

    public static func decode(_ bytes: [UInt8], file: String = "drift.json") throws -> DriftReport {
        try FormatCoding.decode(DriftReport.self, from: bytes, file: file)
    }
}
