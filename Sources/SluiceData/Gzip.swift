import CZlib

/// gzip decompression through zlib.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates a gzip stream (one or more members), refusing output past `limit` bytes.
    /// - Throws: ``IngestError`` naming `file` when the stream is corrupt or too large.
    public static func decompress(_ bytes: [UInt8], file: String, limit: Int = 1 << 34) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw IngestError(file: file, expected: "a gzip stream zlib can open")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var status = Z_OK
        try bytes.withUnsafeBufferPointer { (input) throws in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { out -> Int in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[..<produced])
                if output.count > limit {
                    throw IngestError(file: file, expected: "at most \(limit) bytes after decompression")
                }
                if status == Z_STREAM_END && stream.avail_in > 0 {
                    inflateReset(&stream)   // concatenated gzip members
                    status = Z_OK
                }
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else {
            let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw IngestError(file: file, found: message, expected: "a complete gzip stream")
        }
        return output
    }
}
