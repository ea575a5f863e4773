/// `monitor:` for a pipeline: watch the realized performance of the model in
/// service and act when it degrades.
///
/// A measurement breaches when the watched `metric` is worse than `min` (for
/// lower-is-better metrics: above it), or has declined by more than
/// `max_decline` from its value when the model was promoted. `consecutive`
/// breaches in a row trigger `action`; after an action, the next `cooldown`
/// measurements are ignored.
public struct MonitorPolicy: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        /// A journal warning, a ledger event and the `sluice_monitor_breached` gauge.
        case alert
        /// The next training run waives the champion comparison (the absolute rules decide).
        case retrain
        /// Back to the previous champion, if it scores better on the same newly labelled rows.
        case rollback
    }

    public var metric: String
    public var min: Double?
    public var maxDecline: Double?
    public var consecutive: Int
    public var cooldown: Int
    public var action: Action

    public init(metric: String, min: Double? = nil, maxDecline: Double? = nil, consecutive: Int = 1, cooldown: Int = 0,
                action: Action = .alert) {
        self.metric = metric
        self.min = min
        self.maxDecline = maxDecline
        self.consecutive = consecutive
        self.cooldown = cooldown
        self.action = action
    }
}
