import SluiceFormats
import SluiceLedger
import Testing
@testable import SluiceEngine

/// The decision is a pure function of what the stages said: no files, no processes.
@Suite struct PromotionDecisionTests {
    typealias Verdict = PromotionDecision.Verdict

    @Test func everyApprovalIsAReasonAndAnyRejectionRejects() {
        let approved = PromotionDecision.decide(verdicts: [
            Verdict(stage: "validate", approved: true, reason: "clean"),
            Verdict(stage: "evaluate", approved: true, reason: "auc 0.91 ≥ min 0.8; logloss 0.3 ≤ max 0.5"),
        ], championWaiver: nil)
        #expect(approved.decision == .approved)
        #expect(approved.reasonText == "clean; auc 0.91 ≥ min 0.8; logloss 0.3 ≤ max 0.5")

        // A lower-is-better rule that failed arrives as the evaluate stage's rejection.
        let rejected = PromotionDecision.decide(verdicts: [
            Verdict(stage: "validate", approved: true, reason: "clean"),
            Verdict(stage: "evaluate", approved: false, reason: "logloss 0.71 > max 0.55"),
            Verdict(stage: "audit", approved: false, reason: "later"),
        ], championWaiver: "ignored when rejected")
        #expect(rejected.decision == .rejected)
        #expect(rejected.reasons == ["evaluate: logloss 0.71 > max 0.55"])
    }

    @Test func noVerdictAtAllRejects() {
        let decision = PromotionDecision.decide(verdicts: [], championWaiver: nil)
        #expect(decision.decision == .rejected)
        #expect(decision.reasonText.contains("no stage gave a verdict"))
    }

    @Test func theFirstRunAndTheChampionRuleAreTheGatesVerdict() {
        let first = PromotionDecision.decide(verdicts: [
            Verdict(stage: "evaluate", approved: true, reason: "auc 0.8 ≥ min 0.6; no champion yet (first run): the absolute rules decide"),
        ], championWaiver: nil)
        #expect(first.decision == .approved)
        #expect(first.reasonText.contains("first run"))
        let worse = PromotionDecision.decide(verdicts: [
            Verdict(stage: "evaluate", approved: false, reason: "auc 0.7 vs champion v3 0.75 (worse by 6.7%; required: no worse)"),
        ], championWaiver: nil)
        #expect(worse.reasons == ["evaluate: auc 0.7 vs champion v3 0.75 (worse by 6.7%; required: no worse)"])
    }

    @Test func driftWaivesTheChampionOnlyWhenTheValidateStageSaysSo() throws {
        let scores = [DriftScore(column: "a", measure: "psi", score: 0.4, threshold: 0.2, drifted: true)]
        #expect(PromotionDecision.championWaiver(drift: nil) == nil)
        #expect(PromotionDecision.championWaiver(drift: DriftReport(scores: scores, driftedShare: 0.5, policy: "warn",
                                                                    maxDriftedShare: 0.3, waivesChampion: false)) == nil)
        let report = DriftReport(scores: scores, driftedShare: 0.5, policy: "retrain", maxDriftedShare: 0.3,
                                 waivesChampion: true)
        let waiver = try #require(PromotionDecision.championWaiver(drift: report))
        #expect(waiver.contains("50% of features drifted") && waiver.contains("max_drifted_share 30%"))
        let decision = PromotionDecision.decide(verdicts: [Verdict(stage: "evaluate", approved: true, reason: "auc 0.9 ≥ min 0.6")],
                                                championWaiver: waiver)
        #expect(decision.decision == .approved)
        #expect(decision.reasons.last == "champion comparison waived: \(waiver)")
    }
}
