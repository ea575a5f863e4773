import SluiceML
import SluiceTestSupport
import Testing

@Suite struct FloatSortTests {
    @Test func radixOrderEqualsTheStandardSortOnAwkwardValues() {
        var random = TestRandom(seed: 20261123)
        func next() -> UInt64 { random.next() }
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                 .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1]
        for size in [0, 1, 2, 17, 5_000, 100_000] {
            var values: [Float] = (0..<size).map { index in
                if index % 13 == 0 { return specials[Int(next() % UInt64(specials.count))] }
                // Any bit pattern that is not a NaN: subnormals, huge and tiny values, both signs.
                var value = Float(bitPattern: UInt32(truncatingIfNeeded: next()))
                while value.isNaN { value = Float(bitPattern: UInt32(truncatingIfNeeded: next())) }
                return index % 7 == 0 ? Float(Int(next() % 5)) - 2 : value  // many repeats too
            }
            var expected = values.map { $0 + 0 }
            expected.sort()
            FloatSort.sortAscending(&values)
            #expect(values.map(\.bitPattern) == expected.map(\.bitPattern), "size \(size)")
        }
    }
}
