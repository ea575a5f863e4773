/// A signing key file that cannot be used, and why.
public struct SigningKeyError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let reason: String
    public var description: String { "signing key \(file): \(reason)" }
}
