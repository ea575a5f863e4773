import SluiceML
import SluiceTestSupport
import SluiceFormats
import Testing

@Suite struct FeatureTransformTests {
    /// The column-at-a-time transform the features stage writes with gives the
    /// same bits as the per-value one `sluice predict` applies.
    @Test func columnTransformEqualsThePerValueOneBitForBit() {
        var random = TestRandom(seed: 20261123)
        func next() -> UInt64 { random.next() }
        for count in [1, 3, 4, 5, 1_001] {
            let values: [Float] = (0..<count).map { index in
                if index % 9 == 0 { return .nan }
                if index % 17 == 0 { return index % 2 == 0 ? .infinity : -0.0 }
                let mantissa = Float(Int64(next() % 2_000_001) - 1_000_000) / 1000
                return mantissa * Float(1 << (next() % 20))
            }
            for log in [false, true] {
                let transform = FeatureTransform.Numeric(column: "x", fill: 0.25, log: log, mean: -1.5, scale: 3.7)
                var written = [Float](repeating: 7, count: count)
                values.withUnsafeBufferPointer { values in
                    written.withUnsafeMutableBufferPointer { transform.apply(values, into: $0.baseAddress!) }
                }
                #expect(written.map(\.bitPattern) == values.map { transform.apply($0).bitPattern }, "count \(count), log \(log)")
            }
        }
    }
}
