/// A failure to report as `Error: <message>` with exit status 1 (no usage text).
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
