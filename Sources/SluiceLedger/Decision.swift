/// The gate's decision on a candidate model.
public enum Decision: String, Sendable, Codable {
    case approved, rejected
}
