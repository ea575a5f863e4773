/// Which inbox a drop came from, and so what its run does.
public enum DropKind: String, Sendable, Codable, CaseIterable {
    /// A training drop: validate, train, evaluate, maybe publish.
    case train
    /// A drop to score with the model in service (`scoring:` inbox).
    case score
    /// Delayed labels, `id,target`, for earlier scored rows (`labels:` inbox).
    case labels
}
