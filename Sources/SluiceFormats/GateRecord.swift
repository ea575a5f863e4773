/// `gate.json`, written by the evaluate stage (format `sluice.gate/1`): every
/// promotion rule with its measured value, threshold and outcome. The host
/// copies it into the ledger's `gate_rules` table and the model archive.
public struct GateRecord: Codable, Sendable, Equatable {
    public static let format = "sluice.gate/1"

    public struct Rule: Codable, Sendable, Equatable {
        /// The metric, e.g. `auc`.
        public var metric: String
        /// `min` or `max`.
        public var bound: String
        public var threshold: Double
        /// The measured value; nil when the metric is not measured.
        public var measured: Double?
        public var passed: Bool
        /// The rule in words, e.g. `auc 0.812 < min 0.85`.
        public var text: String

        public init(metric: String, bound: String, threshold: Double, measured: Double?, passed: Bool, text: String) {
            self.metric = metric
            self.bound = bound
            self.threshold = threshold
            self.measured = measured
            self.passed = passed
            self.text = text
        }
    }

    public var format: String = GateRecord.format
    /// `approved` or `rejected` — never anything else.
    public var decision: String
    /// `approved: …` / `rejected: …`, listing the failing rules (or all, when approved).
    public var reason: String
    public var rules: [Rule]

    public init(decision: String, reason: String, rules: [Rule]) {
        self.decision = decision
        self.reason = reason
        self.rules = rules
    }

    /// Reads `gate.json`.
    /// - Throws: ``FormatError`` naming `file` and what is wrong.
    public static func decode(_ bytes: [UInt8], file: String = "gate.json") throws -> GateRecord {
        try FormatCoding.decode(GateRecord.self, from: bytes, file: file)
    }
}
