import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of content, as lowercase hex. Drops, configs, plugins and archive
/// members are all identified this way.
public enum ContentHash {
    /// Hex SHA-256 of `bytes`.
    public static func sha256<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Hex SHA-256 of the file at `path`, read in 1 MiB pieces.
    public static func sha256(file path: String) throws -> String {
        var hasher = SHA256()
        let fd = try Syscall.run("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { (raw) throws -> Int in
                try Syscall.run("read", path: path) { read(fd, raw.baseAddress!, raw.count) }
            }
            if count == 0 { break }
            hasher.update(data: buffer[..<count])
        }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-256 computed piece by piece, as bytes stream past (so a drop is hashed
/// in the same pass that reads it).
public struct StreamingHash: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// Lowercase hex of the digest of everything given so far.
    public func finalize() -> String {
        ContentHash.hex(hasher.finalize())
    }
}
