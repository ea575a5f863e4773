/// Why the model a pipeline serves changed.
public enum ChampionAction: String, Sendable, Codable, CaseIterable {
    /// A run's model passed its gate and was published.
    case approve
    /// An operator (or `sluice rollback`) went back to an earlier version.
    case rollback
    /// A rejected candidate made current on purpose (`sluice promote --force`).
    case forcePromote = "force-promote"
    /// A monitoring policy went back to an earlier version.
    case autoRollback = "auto-rollback"
}
