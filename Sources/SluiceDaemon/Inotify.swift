import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// One inotify descriptor on inbox folders: only `IN_CLOSE_WRITE` (a writer
/// closed the file), `IN_MOVED_TO` (renamed in), `IN_CREATE` (to start a
/// settle timer for writers that never close), and the folder's own deletion
/// or move. Never `IN_MODIFY`. Holds no state but the descriptor, so the
/// thread that waits on it and the actor that adds watches can share it.
final class Inotify: Sendable {
    struct Event: Sendable {
        enum Kind: Sendable { case closedOrMovedIn, created, folderGone, overflow }
        let kind: Kind
        let watch: Int32
        let name: String
    }

    let descriptor: Int32

    init() throws {
        descriptor = try Syscall.run("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
    }

    deinit { close(descriptor) }

    /// Starts watching `folder`; returns the watch descriptor.
    func watch(_ folder: String) throws -> Int32 {
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        return try Syscall.run("inotify_add_watch", path: folder) { inotify_add_watch(descriptor, folder, mask) }
    }

    /// Stops a watch (one already gone with its folder is not an error).
    func remove(_ watch: Int32) { inotify_rm_watch(descriptor, watch) }

    /// Reads every queued event without blocking.
    /// - Throws: ``SystemError`` when reading the inotify descriptor fails (not for "nothing queued").
    func drain() throws -> [Event] {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let read = try buffer.withUnsafeMutableBytes { try Syscall.readAvailable(descriptor, into: $0, what: "inotify") }
            guard let count = read, count > 0 else { break }
            buffer.withUnsafeBytes { raw in events += Self.parse(raw, count: count) }
        }
        return events
    }

    private static func parse(_ raw: UnsafeRawBufferPointer, count: Int) -> [Event] {
        var events: [Event] = []
        var offset = 0
        while offset + MemoryLayout<inotify_event>.size <= count {
            let header = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
            let nameStart = offset + MemoryLayout<inotify_event>.size
            let nameBytes = raw[nameStart..<(nameStart + Int(header.len))].prefix { $0 != 0 }
            let name = String(decoding: nameBytes, as: UTF8.self)
            let mask = Int32(bitPattern: header.mask)
            if mask & Int32(IN_Q_OVERFLOW) != 0 {
                events.append(Event(kind: .overflow, watch: -1, name: ""))
            } else if mask & Int32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                events.append(Event(kind: .folderGone, watch: header.wd, name: ""))
            } else if mask & Int32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                events.append(Event(kind: .closedOrMovedIn, watch: header.wd, name: name))
            } else if mask & Int32(IN_CREATE) != 0 {
                events.append(Event(kind: .created, watch: header.wd, name: name))
            }
            offset = nameStart + Int(header.len)
        }
        return events
    }
}
