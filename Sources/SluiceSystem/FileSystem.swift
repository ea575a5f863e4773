#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations with the durability sluice promises: writes go to a
/// temporary name in the same folder, are fsync'd, renamed into place, and the
/// folder is fsync'd, so a reader sees the old file or the whole new one.
public enum FileSystem {
    /// Creates `path` and its parents (mode 0755 before umask). No error if it exists.
    public static func createDirectory(_ path: String) throws {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            partial += "/" + component
            if mkdir(partial, 0o755) == -1 {
                let code = errno
                if code == EEXIST, isDirectory(partial) { continue }
                throw SystemError(call: "mkdir", path: partial, code: code)
            }
        }
    }

    /// Whether `path` exists and is a folder (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` exists (without following a final symlink).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a regular file.
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Size in bytes of the file at `path`.
    public static func size(_ path: String) throws -> Int64 {
        var info = stat()
        try Syscall.run("stat", path: path) { stat(path, &info) }
        return Int64(info.st_size)
    }

    /// Names in a folder, without `.` and `..`, sorted.
    /// The arguments a process was started with (`/proc/<pid>/cmdline`), or
    /// nil when it is gone or cannot be read.
    public static func commandLine(of pid: Int32) -> [String]? {
        guard let bytes = try? read("/proc/\(pid)/cmdline") else { return nil }   // gone: nothing to report
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `pid` runs `sluice <subcommand>`.
    public static func isSluice(_ pid: Int32, running subcommand: String) -> Bool {
        guard let arguments = commandLine(of: pid) else { return false }
        return arguments.count > 1 && arguments[0].hasSuffix("sluice") && arguments[1] == subcommand
    }

    /// The longest start of `text` (whole characters) of at most `bytes` UTF-8 bytes.
    public static func prefix(_ text: String, utf8Bytes bytes: Int) -> String {
        var kept = ""
        for character in text {
            if kept.utf8.count + character.utf8.count > bytes { break }
            kept.append(character)
        }
        return kept
    }

    /// Entry names of a folder as bytes (a name need not be UTF-8), unsorted.
    public static func listRaw(_ path: String) throws -> [[UInt8]] {
        guard let dir = opendir(path) else {
            throw SystemError(call: "opendir", path: path, code: errno)
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name != [46], name != [46, 46] { names.append(name) }
        }
        return names
    }

    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw SystemError(call: "opendir", path: path, code: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `rename(2)`: atomic within one filesystem; fails rather than copies.
    public static func rename(_ from: String, to: String) throws {
        try Syscall.run("rename", path: "\(from) -> \(to)") { Glibc.rename(from, to) }
    }

    /// Removes a file (not a folder).
    public static func remove(_ path: String) throws {
        try Syscall.run("unlink", path: path) { unlink(path) }
    }

    /// Removes an empty folder.
    public static func removeDirectory(_ path: String) throws {
        try Syscall.run("rmdir", path: path) { rmdir(path) }
    }

    /// fsyncs a folder so that renames and creations in it are durable.
    public static func syncDirectory(_ path: String) throws {
        let fd = try Syscall.run("open", path: path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try Syscall.run("fsync", path: path) { fsync(fd) }
    }

    /// The folder part of `path` (`"."` when there is none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// A name for a temporary file beside `path`: hidden, unique to this process.
    public static func temporarySibling(of path: String) -> String {
        let dir = directory(of: path)
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        var base = baseName(path)
        // A long final name must not make its temp name pass NAME_MAX (255 bytes).
        if base.utf8.count > 160 { base = prefix(base, utf8Bytes: 160) + "~" }
        return "\(dir)/.\(base).\(getpid()).\(tag).tmp"
    }

    /// Writes `bytes` to `path` atomically and durably (temp, fsync, rename, fsync folder).
    public static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String,
                                       mode: mode_t = 0o644) throws {
        let array = Array(bytes)
        try writeAtomically(to: path, mode: mode) { fd, temporary in
            try writeAll(fd: fd, bytes: array, path: temporary)
        }
    }

    /// The one safe way sluice writes a file: `write` fills a temporary file
    /// beside `path` (given its descriptor and name), which is fsync'd, closed
    /// once, moved to `path`, and the folder fsync'd. A reader sees no file
    /// or the whole file. With `replacing: false` an existing `path` is never
    /// touched (the move is a `link(2)`, which fails with EEXIST instead).
    /// - Throws: ``SystemError`` naming the call and path, or what `write`
    ///   threw; the temporary file is removed on failure.
    public static func writeAtomically(to path: String, mode: mode_t = 0o644, replacing: Bool = true,
                                       _ write: (Int32, String) throws -> Void) throws {
        let temporary = temporarySibling(of: path)
        let fd = try Syscall.run("open", path: temporary) {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        }
        var isOpen = true
        do throws {
            try write(fd, temporary)
            try Syscall.run("fsync", path: temporary) { fsync(fd) }
            isOpen = false
            try Syscall.run("close", path: temporary) { close(fd) }
            if path.hasSuffix(".tar.gz") { CrashPoint.archiveTemp.reach() }
            if replacing {
                try rename(temporary, to: path)
            } else {
                try Syscall.run("link", path: "\(temporary) -> \(path)") { link(temporary, path) }
                unlink(temporary)
            }
            try syncDirectory(directory(of: path))
        } catch {
            // Closed exactly once: a second close could close a descriptor
            // another thread has opened since.
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// Writes a UTF-8 string atomically; see ``writeAtomically(_:to:mode:)``.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Array(text.utf8), to: path)
    }

    /// Writes every byte to `fd`, retrying short writes and `EINTR`.
    public static func writeAll(fd: Int32, bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = try bytes.withUnsafeBytes { (raw) throws -> Int in
                try Syscall.run("write", path: path) {
                    write(fd, raw.baseAddress! + offset, raw.count - offset)
                }
            }
            offset += written
        }
    }

    /// Reads a whole file into memory, until end of file (so files whose
    /// size `stat` does not know, like those in /proc, read correctly too).
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = try Syscall.run("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var info = stat()
        try Syscall.run("fstat", path: path) { fstat(fd, &info) }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 4096) + 1)
        var offset = 0
        while true {
            if offset == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let count = try bytes.withUnsafeMutableBytes { (raw) throws -> Int in
                try Syscall.run("read", path: path) {
                    Glibc.read(fd, raw.baseAddress! + offset, raw.count - offset)
                }
            }
            if count == 0 { break }
            offset += count
        }
        bytes.removeLast(bytes.count - offset)
        return bytes
    }

    /// Reads a whole file as UTF-8 text.
    public static func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Points `link` at `target` atomically: a symlink made under a temp name,
    /// renamed over `link`, and the folder fsync'd.
    public static func replaceSymlink(_ link: String, target: String) throws {
        let temporary = temporarySibling(of: link)
        try Syscall.run("symlink", path: temporary) { symlink(target, temporary) }
        do throws {
            try rename(temporary, to: link)
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory(of: link))
    }

    /// `path` with every symlink resolved (`realpath(3)`), or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The target a symlink points at, or nil if `path` is not a symlink.
    public static func symlinkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Makes `path` absolute against `base` (which should itself be absolute).
    public static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        return normalize(base + "/" + path)
    }

    /// Removes `.` and `..` components and doubled slashes (lexically).
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// The current working folder.
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(cString: buffer)
    }

    /// Absolute form of `path`, against the current folder.
    public static func absolute(_ path: String) -> String {
        resolve(path, against: currentDirectory())
    }
}

extension FileSystem {
    /// Writes text to stderr with one write(2) (lines from threads do not interleave).
    public static func writeStandardError(_ text: String) {
        try? writeAll(fd: 2, bytes: Array(text.utf8), path: "stderr")
    }

    /// Writes text to stdout with one write(2).
    public static func writeStandardOutput(_ text: String) {
        try? writeAll(fd: 1, bytes: Array(text.utf8), path: "stdout")
    }
}
