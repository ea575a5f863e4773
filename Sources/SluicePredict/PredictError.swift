/// A prediction problem, said for people.
public struct PredictError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
