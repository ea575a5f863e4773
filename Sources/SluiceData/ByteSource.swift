import CZlib
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Bytes of a drop as they stream in: a file, a gzip stream, an archive entry
/// or memory. Every source hashes the raw bytes it consumes (SHA-256), so a
/// drop is read exactly once.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes of text; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// SHA-256 of the raw bytes consumed (the file as dropped); complete after the end.
    var sha256: String { get }
    /// Raw bytes consumed so far (compressed size for compressed sources).
    var rawBytes: Int64 { get }
    /// Bytes of text the source will give in all, when known in advance (a
    /// plain file's size) or estimated (a gzip file's); readers size their
    /// columns from it and grow them if it falls short.
    var expectedBytes: Int64? { get }
}

extension ByteSource {
    public var expectedBytes: Int64? { nil }

    /// For a source that turns a file into more (or less) text: the file's
    /// size times the text given per file byte read so far, a little over
    /// (readers read ahead). Nil until something has been read.
    public static func extrapolatedText(fileBytes: Int64?, textSoFar: Int64, readSoFar: Int64) -> Int64? {
        guard let fileBytes, textSoFar > 0, readSoFar > 0 else { return nil }
        return Int64(Double(fileBytes) * Double(textSoFar) / Double(readSoFar) * 1.05)
    }
}

/// A file read with large `read(2)` calls, hashed as it goes.
public final class FileByteSource: ByteSource {
    let path: String
    let fd: Int32
    var hash = StreamingHash()
    public private(set) var rawBytes: Int64 = 0

    public init(path: String) throws {
        self.path = path
        fd = try Syscall.run("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    deinit { close(fd) }

    public var expectedBytes: Int64? {
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(status.st_size)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = try Syscall.run("read", path: path) {
                Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count == 0 { break }
            hash.update(UnsafeRawBufferPointer(start: buffer.baseAddress! + filled, count: count))
            filled += count
        }
        rawBytes += Int64(filled)
        return filled
    }

    public var sha256: String { hash.finalize() }
}

/// Bytes already in memory (tests, small inputs).
public final class MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    var hash = StreamingHash()

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { raw in
            let piece = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + count])
            buffer.baseAddress!.copyMemory(from: piece.baseAddress ?? raw.baseAddress!, byteCount: count)
            hash.update(piece)
        }
        offset += count
        return count
    }

    public var sha256: String { hash.finalize() }
    public var rawBytes: Int64 { Int64(offset) }
    public var expectedBytes: Int64? { Int64(bytes.count) }
}

/// gzip inflated as it streams (one or more members): neither the whole
/// compressed nor the whole decompressed file is ever in memory. The hash
/// covers the compressed bytes, as dropped.
public final class GzipByteSource: ByteSource {
    let inner: ByteSource
    let file: String
    var stream = z_stream()
    let input: UnsafeMutableRawBufferPointer
    var finished = false
    var inputEnded = false
    var sawMember = false

    public init(_ inner: ByteSource, file: String) throws {
        self.inner = inner
        self.file = file
        input = .allocate(byteCount: 1 << 20, alignment: 16)
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            input.deallocate()
            throw IngestError(file: file, expected: "a gzip stream zlib can open")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if finished { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(buffer.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEnded {
                let count = try inner.read(into: input)
                if count == 0 { inputEnded = true } else {
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    stream.avail_in = UInt32(count)
                }
            }
            if stream.avail_in == 0 && inputEnded {
                if !sawMember || stream.total_in > 0 {
                    // Input ended inside a member (or there was none at all).
                    throw IngestError(file: file, found: "the end of the file inside a gzip member",
                                      expected: "a complete gzip stream")
                }
                finished = true
                break
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_STREAM_END:
                sawMember = true
                inflateReset(&stream)  // a further member may follow
                if stream.avail_in == 0 {
                    // Peek for more input; none means a clean end.
                    let count = try inner.read(into: input)
                    if count == 0 { inputEnded = true; finished = true } else {
                        stream.next_in = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        stream.avail_in = UInt32(count)
                    }
                }
                if finished { return buffer.count - Int(stream.avail_out) }
            case Z_OK, Z_BUF_ERROR:
                if status == Z_BUF_ERROR && stream.avail_in > 0 {
                    throw IngestError(file: file, found: "zlib status \(status)", expected: "a complete gzip stream")
                }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw IngestError(file: file, found: message, expected: "a complete gzip stream")
            }
        }
        return buffer.count - Int(stream.avail_out)
    }

    public var sha256: String { inner.sha256 }
    public var rawBytes: Int64 { inner.rawBytes }

    /// An estimate from the ratio inflated so far, so the reader's columns are
    /// sized once instead of doubling from a guess.
    public var expectedBytes: Int64? {
        Self.extrapolatedText(fileBytes: inner.expectedBytes, textSoFar: Int64(stream.total_out),
                              readSoFar: Int64(stream.total_in))
    }
}
