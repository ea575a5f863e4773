/// `monitor:` for a pipeline: watch the realized performance of the model in
/// service and act when it degrades.
///
/// A measurement breaches when the watched `metric` is worse than `min` (for
/// lower-is-better metrics: above it), or has declined by more than
/// `max_decline` from its value when the model was promoted. `consecutive`
/// breaches in a row trigger `action`; after an action, the next `cooldown`
/// measurements are ignored. Drift of scored data (`drift: {max_drifted_share}`)
/// is watched the same way over scoring drops; it can alert or request a
/// retrain, and never rolls back on its own (drift does not say which model is better).
public struct MonitorPolicy: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        /// A journal warning, a ledger event and the `sluice_monitor_breached` gauge.
        case alert
        /// The next training run waives the champion comparison (the absolute rules decide).
        case retrain
        /// Back to the previous champion, if it scores better on the same newly labelled rows.
        case rollback
    }

    /// The realized metric watched (nil: only drift is watched).
    public var metric: String?
    public var min: Double?
    public var maxDecline: Double?
    public var consecutive: Int
    public var cooldown: Int
    public var action: Action
    /// `drift: {max_drifted_share}`: a scoring drop with more of its features
    /// drifted from the champion's training data breaches too.
    public var maxDriftedShare: Double?

    public init(metric: String?, min: Double? = nil, maxDecline: Double? = nil, consecutive: Int = 1, cooldown: Int = 0,
                action: Action = .alert) {
        self.metric = metric
        self.min = min
        self.maxDecline = maxDecline
        self.consecutive = consecutive
        self.cooldown = cooldown
        self.action = action
    }
}
