/// A test's own failure, with a sentence saying what is missing or wrong.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
