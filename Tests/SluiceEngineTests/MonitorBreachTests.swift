import Logging
import SluiceConfig
import SluiceLedger
import SluiceTestSupport
import Testing
@testable import SluiceEngine

/// What counts as a breach of a monitor policy: a pure function of the measurements.
@Suite struct MonitorBreachTests {
    func point(_ value: Double, _ name: String = "auc") -> RealizedMetric {
        RealizedMetric(id: 1, pipeline: "p", version: 1, source: "labels", scoringRunId: 1, labelsDropId: 1, runId: nil,
                       name: name, value: value, rows: 10, at: "2026-12-01T00:00:00.000Z")
    }

    let folder = TemporaryDirectory("sluice-breach")

    func breach(_ values: [Double], _ policy: MonitorPolicy, atPromotion: Double?) throws -> String? {
        let monitor = DegradationMonitor(configuration: try ConfigLoader.parse(
            "pipelines: {p: {target: y, stages: [{plugin: train}]}}", file: folder.url("sluice.yaml")),
            ledger: try SQLLedger(path: folder.url("ledger.sqlite")), logger: Logger(label: "test"))
        return monitor.breach(values.map { point($0, policy.metric ?? "auc") }, policy: policy, metric: policy.metric ?? "auc",
                              atPromotion: atPromotion)
    }

    @Test func minAndMaxDeclineFollowTheMetricsDirection() throws {
        let floor = MonitorPolicy(metric: "auc", min: 0.8)
        #expect(try breach([0.79, 0.7], floor, atPromotion: nil) == "below min 0.8")
        #expect(try breach([0.79, 0.81], floor, atPromotion: nil) == nil)   // one good measurement: no breach
        let decline = MonitorPolicy(metric: "auc", maxDecline: 0.03)
        #expect(try breach([0.86], decline, atPromotion: 0.90) == "down more than 0.03 from 0.9 at promotion")
        #expect(try breach([0.88], decline, atPromotion: 0.90) == nil)
        #expect(try breach([0.5], decline, atPromotion: nil) == nil)   // nothing at promotion to decline from
        // Lower is better for rmse: degraded above the bound, and when it rises.
        #expect(try breach([2.5], MonitorPolicy(metric: "rmse", min: 2.0), atPromotion: nil) == "above max 2.0")
        #expect(try breach([1.5], MonitorPolicy(metric: "rmse", min: 2.0), atPromotion: nil) == nil)
        #expect(try breach([1.2], MonitorPolicy(metric: "rmse", maxDecline: 0.1), atPromotion: 1.0) != nil)
        #expect(try breach([0.9], MonitorPolicy(metric: "rmse", maxDecline: 0.1), atPromotion: 1.0) == nil)
    }
}
