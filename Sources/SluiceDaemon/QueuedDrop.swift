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

    /// What makes two queued drops the same: the inbox path or the work folder.
    var key: String {
        switch source {
        case .inbox(let path): path
        case .requeue(let requeue): requeue.claim.workDirectory
        }
    }
}
