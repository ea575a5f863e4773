#if canImport(Glibc)
import Glibc
#endif

/// Who runs this command, for `--by` defaults: the login name of the real user id.
enum UserName {
    static func current() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
