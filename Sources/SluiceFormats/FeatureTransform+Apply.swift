/// Applying a fitted transform: the one implementation the features stage,
/// the champion re-score and `sluice predict` share.
extension FeatureTransform {
    /// Writes a 0/1 indicator: 1 where a row's code maps (through
    /// `featureOfCode`) to `feature`, 0 elsewhere (missing codes are 0).
    public static func indicator(codes: UnsafeBufferPointer<Int32>, featureOfCode: [Int32], feature: Int32,
                                 into out: UnsafeMutablePointer<Float>) {
        featureOfCode.withUnsafeBufferPointer { map in
            for row in codes.indices {
                let code = codes[row]
                out[row] = code >= 0 && map[Int(code)] == feature ? 1 : 0
            }
        }
    }

    /// Every feature column, in ``features`` order, for `rows` rows whose raw
    /// columns `column` returns by name.
    /// - Throws: ``FormatError`` naming every column that is absent (up to
    ///   10) or the first of the wrong type.
    public func apply(rows: Int, column: (String) -> RawColumn?) throws -> [[Float]] {
        let needed = numeric.map { ($0.column, "numeric") } + oneHot.map { ($0.column, "categorical") }
            + hashed.map { ($0.column, "hashed") }
        let absent = needed.filter { column($0.0) == nil }
        if absent.count == 1 {
            throw FormatError("input has no column '\(absent[0].0)', which the model needs (\(absent[0].1))")
        } else if absent.count > 1 {
            throw FormatError("input lacks \(absent.count) columns the model needs: "
                              + absent.prefix(10).map { "'\($0.0)' (\($0.1))" }.joined(separator: ", ")
                              + (absent.count > 10 ? ", …" : ""))
        }
        var out: [[Float]] = []
        out.reserveCapacity(features.count)
        for encoding in numeric {
            guard case .numeric(let values)? = column(encoding.column), values.count == rows else {
                throw FormatError("column '\(encoding.column)' must be numeric (it was at training), but holds text")
            }
            out.append(Self.column(rows) { encoding.apply(values, into: $0) })
        }
        func indicators(_ name: String, width: Int, _ map: ([String]) -> [Int32]) throws {
            guard case .categorical(let codes, let dictionary)? = column(name), codes.count == rows else {
                throw FormatError("column '\(name)' must be categorical (it was at training)")
            }
            let featureOfCode = map(dictionary)
            for feature in 0..<width {
                out.append(Self.column(rows) {
                    Self.indicator(codes: codes, featureOfCode: featureOfCode, feature: Int32(feature), into: $0)
                })
            }
        }
        for encoding in oneHot {
            try indicators(encoding.column, width: encoding.features.count, encoding.featureOfCode(dictionary:))
        }
        for encoding in hashed {
            try indicators(encoding.column, width: encoding.buckets, encoding.featureOfCode(dictionary:))
        }
        return out
    }

    /// A column of `rows` values written by `fill`.
    static func column(_ rows: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        guard rows > 0 else { return [] }
        return [Float](unsafeUninitializedCapacity: rows) { buffer, count in
            fill(buffer.baseAddress!)
            count = rows
        }
    }
}
