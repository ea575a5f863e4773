import CSluiceLinux
#if canImport(Glibc)
import Glibc
#endif

/// Decimal text to the nearest Float32, straight from bytes, without `strtof`
/// on the common path.
///
/// Accepted: an optional sign, digits with an optional fraction, an optional
/// exponent (`1`, `-0.5`, `.5`, `5.`, `1e-7`, `+3.2E+10`). Not accepted: hex,
/// `inf`, `nan`, thousands separators (missing-value tokens are handled by the
/// reader before numbers).
///
/// The algorithm is the one of the fast_float library (Lemire, "Number Parsing
/// at a Gigabyte per Second", 2021): up to 19 significant digits are gathered
/// into a 64-bit integer `w` with a decimal exponent `q`; when `w ≤ 2^24` and
/// `|q| ≤ 10` one exact float operation gives the correctly rounded result
/// (Clinger's fast path); otherwise the Eisel-Lemire step multiplies `w` by a
/// 128-bit truncated power of five and rounds, which is proven correct for
/// every input of at most 19 digits. Longer mantissas (rare: more digits than a
/// Float32 can tell apart) go to `strtof`, which glibc rounds correctly.
public enum FloatParser {
    /// Parses the number at `start`. Returns the value and the address of the
    /// first byte after it, or nil when no number starts there. The caller
    /// decides what may follow (a delimiter, a newline...).
    ///
    /// The memory from `start` must hold, before it ends, a byte that cannot
    /// continue a number (a delimiter, a newline, a NUL sentinel): the digit
    /// loops test each byte once, without a bounds check. The chunk parser
    /// guarantees this (every window ends with a NUL); ``parse(_:)-(String)``
    /// copies its text to a terminated buffer.
    @_transparent
    static func parseTerminated(_ start: UnsafePointer<UInt8>) -> (Float, UnsafePointer<UInt8>)? {
        var p = start
        // The sign without a branch: in real data it is as random as the values,
        // and a mispredicted branch here cost more than the whole digit loop.
        let first = p.pointee
        let negative = first == UInt8(ascii: "-")
        p += negative || first == UInt8(ascii: "+") ? 1 : 0
        // Digits go into w with wrapping arithmetic; more than 19 of them are
        // sorted out afterwards, off the common path.
        var w: UInt64 = 0
        let integerStart = p
        while true {
            let d = UInt64(p.pointee) &- 0x30  // wraps past 9 for anything below '0'
            if d > 9 { break }
            w = w &* 10 &+ d
            p += 1
        }
        var digitCount = p - integerStart
        var exponent = 0
        if p.pointee == UInt8(ascii: ".") {
            p += 1
            let fractionStart = p
            while true {
                let d = UInt64(p.pointee) &- 0x30
                if d > 9 { break }
                w = w &* 10 &+ d
                p += 1
            }
            exponent = fractionStart - p
            digitCount &+= p - fractionStart
        }
        if digitCount == 0 { return nil }
        let mantissaEnd = p
        if p.pointee | 0x20 == UInt8(ascii: "e") {
            var e = p + 1
            let exponentNegative = e.pointee == UInt8(ascii: "-")
            if exponentNegative || e.pointee == UInt8(ascii: "+") { e += 1 }
            let exponentStart = e
            var value = 0
            while true {
                let d = e.pointee &- UInt8(ascii: "0")
                if d > 9 { break }
                if value < 100_000 { value = value &* 10 &+ Int(d) }
                e += 1
            }
            if e == exponentStart { return nil }  // "1e" or "1e+" is not a number
            exponent &+= exponentNegative ? 0 &- value : value
            p = e
        }
        if digitCount > 19 {
            // Leading zeros do not count; past 19 significant digits w has wrapped.
            var significant = 0
            var q = integerStart
            while q < mantissaEnd {
                let byte = q.pointee
                if byte != UInt8(ascii: ".") && (significant > 0 || byte != UInt8(ascii: "0")) { significant += 1 }
                q += 1
            }
            if significant > 19 { return (slowPath(start, p), p) }
        }
        let magnitude = compose(w, exponent)
        let signBit = UInt32(negative ? 1 : 0) << 31
        return (Float(bitPattern: magnitude.bitPattern | signBit), p)
    }

    /// Parses the number at `start`, not reading at or past `end`.
    public static func parse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (Float, UnsafePointer<UInt8>)? {
        let count = end - start
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 1) { scratch in
            scratch.baseAddress!.initialize(from: start, count: count)
            scratch[count] = 0
            guard let (value, stop) = parseTerminated(UnsafePointer(scratch.baseAddress!)) else { return nil }
            return (value, start + (stop - UnsafePointer(scratch.baseAddress!)))
        }
    }

    /// Parses the whole of `text` as one number; nil when anything else is in it.
    public static func parse(_ text: String) -> Float? {
        var text = text
        return text.withUTF8 { bytes -> Float? in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
            guard let (value, stop) = parse(base, base + bytes.count), stop == base + bytes.count else { return nil }
            return value
        }
    }

    /// The nearest Float32 to w × 10^q (w > 0 or 0).
    @inline(__always)
    static func compose(_ w: UInt64, _ q: Int) -> Float {
        if w <= 1 << 24, UInt(bitPattern: q &+ 10) <= 20 {
            // Both operands are exact Float32 values: one IEEE operation rounds once.
            let m = Float(Int32(truncatingIfNeeded: w))
            return q >= 0 ? m * powerOfTen(q) : m / powerOfTen(-q)
        }
        if w == 0 { return 0 }
        return eiselLemire(w, q)
    }

    /// 10^q for q in 0…10, exactly (a table in C: see `sluice_power_of_ten`).
    @inline(__always)
    static func powerOfTen(_ q: Int) -> Float { sluice_power_of_ten(q) }

    // Float32 parameters of the algorithm (fast_float's binary_format<float>).
    static let mantissaBits = 23
    static let minimumExponent = -127
    static let infinitePower = 0xFF
    static let smallestPowerOfTen = -64
    static let largestPowerOfTen = 38
    static let minExponentRoundToEven = -17
    static let maxExponentRoundToEven = 10

    /// Eisel-Lemire: w × 10^q rounded to nearest-even Float32, for w of at most 19 digits.
    @inline(never)
    static func eiselLemire(_ wIn: UInt64, _ q: Int) -> Float {
        if q < smallestPowerOfTen { return 0 }
        if q > largestPowerOfTen { return .infinity }
        let lz = wIn.leadingZeroBitCount
        let w = wIn << UInt64(lz)
        // 128-bit product of w and 5^q, computed only as far as needed.
        let index = 2 * (q - smallestPowerOfTen)
        var (high, low) = w.multipliedFullWidth(by: powersOfFive128[index])
        let precisionMask: UInt64 = UInt64.max >> UInt64(mantissaBits + 3)
        if high & precisionMask == precisionMask {
            let (secondHigh, _) = w.multipliedFullWidth(by: powersOfFive128[index + 1])
            let (sum, overflow) = low.addingReportingOverflow(secondHigh)
            low = sum
            if overflow { high &+= 1 }
        }
        let upperBit = Int(high >> 63)
        let shift = upperBit + 64 - mantissaBits - 3
        var mantissa = high >> UInt64(shift)
        // power(q) = floor(q * log2(10)) + 63, as fast_float computes it.
        var power2 = (((152_170 + 65_536) * q) >> 16) + 63 + upperBit - lz - minimumExponent
        if power2 <= 0 {
            // Subnormal (or zero).
            if -power2 + 1 >= 64 { return 0 }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (1 << UInt64(mantissaBits)) ? 0 : 1
            return Float(bitPattern: UInt32(power2) << 23 | UInt32(truncatingIfNeeded: mantissa & ((1 << 23) - 1)))
        }
        // Exactly halfway between two floats: round to even instead of up.
        if low <= 1, q >= minExponentRoundToEven, q <= maxExponentRoundToEven, mantissa & 3 == 1,
           mantissa << UInt64(shift) == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= 2 << UInt64(mantissaBits) {
            mantissa = 1 << UInt64(mantissaBits)
            power2 += 1
        }
        mantissa &= ~(1 << UInt64(mantissaBits))
        if power2 >= infinitePower { return .infinity }
        return Float(bitPattern: UInt32(power2) << 23 | UInt32(truncatingIfNeeded: mantissa))
    }

    /// More than 19 significant digits: glibc's correctly rounded strtof.
    @inline(never)
    static func slowPath(_ start: UnsafePointer<UInt8>, _ stop: UnsafePointer<UInt8>) -> Float {
        let count = stop - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { scratch in
            for offset in 0..<count { scratch[offset] = CChar(bitPattern: start[offset]) }
            scratch[count] = 0
            return strtof(scratch.baseAddress!, nil)
        }
    }
}
