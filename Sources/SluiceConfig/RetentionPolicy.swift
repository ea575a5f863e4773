/// `retention:` for a pipeline: which archives and archived drops may be
/// deleted. Unset rules keep everything; the champion, the versions a plain
/// rollback reaches within `keep_last`, and the drops a kept model trained on
/// (windows included) are never deleted.
public struct RetentionPolicy: Sendable, Equatable {
    /// Keep the newest N published versions (and the first N a chain of rollbacks would reach).
    public var keepLast: Int?
    /// Keep versions published within the last D days.
    public var keepDays: Double?
    /// Delete rejected candidates' archives older than D days.
    public var rejectedDays: Double?

    public init(keepLast: Int? = nil, keepDays: Double? = nil, rejectedDays: Double? = nil) {
        self.keepLast = keepLast
        self.keepDays = keepDays
        self.rejectedDays = rejectedDays
    }

    /// Whether any published version or archived drop may ever be deleted.
    public var limitsVersions: Bool { keepLast != nil || keepDays != nil }
}
