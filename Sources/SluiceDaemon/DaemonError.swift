/// Why the daemon refused something (a start, a reload), in words for people.
struct DaemonError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
