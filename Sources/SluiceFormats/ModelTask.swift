/// What a model predicts: a yes/no class, one of K classes, or a number.
public enum ModelTask: String, Sendable, CaseIterable, Codable {
    case binary, multiclass, regression

    /// The model's link for this task (``LinearModel/link``).
    public var link: String {
        switch self {
        case .binary: "logistic"
        case .multiclass: "softmax"
        case .regression: "identity"
        }
    }
}
