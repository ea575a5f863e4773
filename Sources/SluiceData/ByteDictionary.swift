#if canImport(Glibc)
import Glibc
#endif

/// Dictionary-encodes byte strings without making a `String` per field: an
/// open-addressing table over an arena of the distinct values, with codes in
/// order of first appearance. One per categorical column per chunk.
struct ByteDictionary {
    private var slots: [Int32]            // code + 1; 0 = empty
    private var hashes: [UInt64] = []     // per code
    private var offsets: [Int] = []       // per code, into arena
    private var lengths: [Int] = []       // per code
    private(set) var arena: [UInt8] = []
    private var mask: Int

    init() {
        slots = [Int32](repeating: 0, count: 64)
        mask = 63
    }

    var count: Int { offsets.count }

    /// The code for the bytes, adding them when new.
    mutating func code(_ start: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        let hash = Self.hash(start, length)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let code = entry - 1
            if hashes[code] == hash, lengths[code] == length,
               arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + offsets[code], start, length) == 0 }) {
                return Int32(code)
            }
            slot = (slot + 1) & mask
        }
        let code = offsets.count
        hashes.append(hash)
        offsets.append(arena.count)
        lengths.append(length)
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        slots[slot] = Int32(code + 1)
        if offsets.count * 2 > slots.count { grow() }
        return Int32(code)
    }

    /// The first value (by code) that is not valid UTF-8, with up to 12 of its
    /// bytes, or nil when all are text.
    func firstInvalidUTF8() -> (code: Int, bytes: [UInt8])? {
        arena.withUnsafeBufferPointer { base in
            for code in 0..<offsets.count {
                let value = UnsafeBufferPointer(rebasing: base[offsets[code]..<offsets[code] + lengths[code]])
                if String(validating: value, as: UTF8.self) == nil { return (code, Array(value.prefix(12))) }
            }
            return nil
        }
    }

    /// The distinct values in code order.
    func strings() -> [String] {
        arena.withUnsafeBufferPointer { base in
            (0..<offsets.count).map { code in
                String(decoding: UnsafeBufferPointer(rebasing: base[offsets[code]..<offsets[code] + lengths[code]]),
                       as: UTF8.self)
            }
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        for code in 0..<offsets.count {
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code + 1)
        }
    }

    /// FNV-1a, 8 bytes at a time where possible, finished with a mix.
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ UInt64(length)
        var offset = 0
        let raw = UnsafeRawPointer(start)
        while offset + 8 <= length {
            h = (h ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x100000001b3
            h ^= h >> 29
            offset += 8
        }
        while offset < length {
            h = (h ^ UInt64(start[offset])) &* 0x100000001b3
            offset += 1
        }
        h ^= h >> 33
        h = h &* 0xff51afd7ed558ccd
        h ^= h >> 33
        return h
    }
}
