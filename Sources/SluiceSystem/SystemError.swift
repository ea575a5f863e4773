#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which call, on which path, and `errno`'s text.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The call that failed, e.g. `"rename"`.
    public let call: String
    /// The path (or paths) the call was about, if any.
    public let path: String?
    /// The raw `errno` value.
    public let code: Int32

    public init(call: String, path: String?, code: Int32) {
        self.call = call
        self.path = path
        self.code = code
    }

    /// `strerror(code)`.
    public var reason: String { String(cString: strerror(code)) }

    public var description: String {
        if let path { return "\(call)(\(path)): \(reason) (errno \(code))" }
        return "\(call): \(reason) (errno \(code))"
    }
}
