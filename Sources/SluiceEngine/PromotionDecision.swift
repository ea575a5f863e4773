import SluiceFormats
import SluiceLedger

/// Whether a candidate model is published, and every reason: a pure
/// function of what the stages said. No files, no ledger, no processes.
///
/// - A rejecting verdict from any stage rejects (the first one is the reason).
/// - Otherwise at least one approving verdict approves; the reasons are the
///   approvals, plus the champion waiver when drift waived the comparison.
/// - No verdict at all rejects: a model is published only when approved.
///
/// The gate's rules (absolute thresholds, the champion comparison, the first
/// run) are checked by the evaluate stage and arrive here as its verdict.
public struct PromotionDecision: Equatable, Sendable {
    /// What one stage said about the candidate.
    public struct Verdict: Equatable, Sendable {
        public var stage: String
        public var approved: Bool
        public var reason: String
        public init(stage: String, approved: Bool, reason: String) {
            self.stage = stage
            self.approved = approved
            self.reason = reason
        }
    }

    public let decision: Decision
    /// Every reason, in order.
    public let reasons: [String]
    /// The reasons as one line, `; `-separated (the ledger's and the manifest's form).
    public var reasonText: String { reasons.joined(separator: "; ") }

    public init(decision: Decision, reasons: [String]) {
        self.decision = decision
        self.reasons = reasons
    }

    /// Decides from the verdicts in stage order and the drift waiver (see ``championWaiver(drift:)``).
    public static func decide(verdicts: [Verdict], championWaiver: String?) -> PromotionDecision {
        if let rejection = verdicts.first(where: { !$0.approved }) {
            return PromotionDecision(decision: .rejected, reasons: ["\(rejection.stage): \(rejection.reason)"])
        }
        guard !verdicts.isEmpty else {
            return PromotionDecision(decision: .rejected, reasons: [
                "no stage gave a verdict (add an evaluate stage); a model is published only when approved",
            ])
        }
        return PromotionDecision(decision: .approved,
                                 reasons: verdicts.map(\.reason) + (championWaiver.map { ["champion comparison waived: \($0)"] } ?? []))
    }

    /// The waiver a validate stage's `drift.json` asks for, in words; nil when
    /// the champion comparison stands. The policy and its threshold are the
    /// validate stage's (`drift_policy: retrain`, `max_drifted_share`); the
    /// host only reads its decision.
    public static func championWaiver(drift: DriftReport?) -> String? {
        guard let drift, drift.waivesChampion == true else { return nil }
        let share = Int((drift.driftedShare * 100).rounded())
        return "\(share)% of features drifted from the champion's training data (drift_policy \(drift.policy ?? "retrain")"
            + (drift.maxDriftedShare.map { ", max_drifted_share \(Int(($0 * 100).rounded()))%" } ?? "")
            + "): the new model needs only the absolute rules"
    }
}
