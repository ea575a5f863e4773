/// A drop's final place.
public enum DropOutcome: String, Sendable, Codable {
    case claimed, archived, quarantined
}
