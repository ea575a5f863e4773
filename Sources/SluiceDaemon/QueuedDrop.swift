import SluiceEngine

/// A drop waiting for a worker: a file in the inbox, or a claimed drop that
/// recovery queued again.
struct QueuedDrop: Sendable {
    enum Source: Sendable {
        case inbox(String)
        case requeue(Recovery.Requeue)
    }

    let pipeline: String
    let source: Source
    /// Training, scoring or labels drop: each has its own queue (lane) per pipeline.
    var kind: DropKind = .train

    /// The queue this drop waits in: one run at a time per lane.
    var lane: String { Self.lane(pipeline, kind) }

    static func lane(_ pipeline: String, _ kind: DropKind) -> String { kind == .train ? pipeline : "\(pipeline) \(kind.rawValue)" }

    /// What makes two queued drops the same: the inbox path or the work folder.
    var key: String {
        switch source {
        case .inbox(let path): path
        case .requeue(let requeue): requeue.claim.workDirectory
        }
    }
}
