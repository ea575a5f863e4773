import Foundation

/// How many distinct values a numeric column holds, for `sluice inspect`:
/// exact while there are at most ``exactLimit``, then a HyperLogLog estimate
/// (2^16 one-byte registers, a SplitMix64 hash of each value's bits; standard
/// error 1.04 / √65536 ≈ 0.41%, linear counting while the registers are
/// sparse). Values are told apart by their bits, as the column stores them.
struct DistinctCount {
    static let exactLimit = 1024
    static let precision = 16
    static let registerCount = 1 << precision
    /// The estimate's standard error, as a fraction.
    static let standardError = 1.04 / Double(registerCount).squareRoot()

    let count: Int
    /// Whether `count` is exact (else a HyperLogLog estimate).
    let exact: Bool

    init(count: Int, exact: Bool) {
        self.count = count
        self.exact = exact
    }

    /// Counts the non-NaN values of `values`.
    init(_ values: UnsafeBufferPointer<Float>) {
        var seen = Set<UInt32>(minimumCapacity: Self.exactLimit * 2)
        var index = 0
        while index < values.count {
            let value = values[index]
            index += 1
            if value.isNaN { continue }
            seen.insert(value.bitPattern)
            if seen.count > Self.exactLimit { break }
        }
        guard seen.count > Self.exactLimit else {
            self.init(count: seen.count, exact: true)
            return
        }
        var registers = [UInt8](repeating: 0, count: Self.registerCount)
        registers.withUnsafeMutableBufferPointer { registers in
            for bits in seen { Self.add(bits, to: registers) }
            while index < values.count {
                let value = values[index]
                index += 1
                if !value.isNaN { Self.add(value.bitPattern, to: registers) }
            }
        }
        self.init(count: Self.estimate(registers), exact: false)
    }

    @inline(__always)
    static func add(_ bits: UInt32, to registers: UnsafeMutableBufferPointer<UInt8>) {
        var h = UInt64(bits) &+ 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        let slot = Int(h >> UInt64(64 - precision))
        let rank = UInt8(((h << UInt64(precision)) | (1 << UInt64(precision - 1))).leadingZeroBitCount + 1)
        if rank > registers[slot] { registers[slot] = rank }
    }

    static func estimate(_ registers: [UInt8]) -> Int {
        let m = Double(registerCount)
        var sum = 0.0
        var zeros = 0
        for register in registers {
            sum += 1 / Double(UInt64(1) << UInt64(register))
            if register == 0 { zeros += 1 }
        }
        let alpha = 0.7213 / (1 + 1.079 / m)
        var estimate = alpha * m * m / sum
        if estimate <= 2.5 * m, zeros > 0 { estimate = m * (m / Double(zeros)).logarithm }
        return Int(estimate.rounded())
    }
}

private extension Double {
    var logarithm: Double { Foundation.log(self) }
}
