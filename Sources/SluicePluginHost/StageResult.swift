/// What one stage run produced.
public struct StageResult: Sendable {
    public enum Status: Sendable, Equatable {
        case succeeded
        case failed(String)
    }

    public enum Verdict: Sendable, Equatable {
        case approve(String)
        case reject(String)
    }

    public let status: Status
    /// Metrics in the order the stage recorded them.
    public let metrics: [(name: String, value: Double)]
    /// The verdict the stage set, if any (the last one wins).
    public let verdict: Verdict?
    /// Wall-clock duration, in milliseconds.
    public let durationMs: Double
}

/// Receives what a stage says while it runs (log lines and progress).
public protocol StageObserver: AnyObject {
    func stageLogged(level: Int32, message: String)
    func stageProgressed(fraction: Double, text: String)
}
