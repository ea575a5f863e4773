import Foundation

/// The `transform.json` artifact written by the features stage (format
/// `sluice.transform/2`, documented in docs/artifacts.md): how raw columns
/// become model features. The features stage, the champion re-score and
/// `sluice predict` all apply it through this type (``apply(rows:column:)`` and
/// the per-encoding functions it is made of), so a row gets the same feature
/// values everywhere, to the bit. Reads `sluice.transform/1` too.
public struct FeatureTransform: Codable, Sendable, Equatable {
    public static let format = "sluice.transform/2"

    /// A numeric column: missing → `fill` (chosen by `impute` on the training
    /// rows), then `signedLog1p` when `log`, then `(x − mean) / scale`.
    public struct Numeric: Codable, Sendable, Equatable {
        public var column: String
        /// mean, median, most_frequent or constant.
        public var impute: String
        public var fill: Double
        public var log: Bool
        public var mean: Double
        public var scale: Double
        public init(column: String, impute: String = "mean", fill: Double, log: Bool = false, mean: Double, scale: Double) {
            self.column = column
            self.impute = impute
            self.fill = fill
            self.log = log
            self.mean = mean
            self.scale = scale
        }

        enum CodingKeys: String, CodingKey { case column, impute, fill, log, mean, scale }

        /// `impute` and `log` are absent in `sluice.transform/1` (mean, no log).
        public init(from decoder: any Decoder) throws {
            let keys = try decoder.container(keyedBy: CodingKeys.self)
            column = try keys.decode(String.self, forKey: .column)
            impute = try keys.decodeIfPresent(String.self, forKey: .impute) ?? "mean"
            fill = try keys.decode(Double.self, forKey: .fill)
            log = try keys.decodeIfPresent(Bool.self, forKey: .log) ?? false
            mean = try keys.decode(Double.self, forKey: .mean)
            scale = try keys.decode(Double.self, forKey: .scale)
        }

        /// The feature value of a raw value (NaN = missing), in Double; stored as Float.
        @inline(__always)
        public func apply(_ value: Float) -> Float {
            var x = value.isNaN ? fill : Double(value)
            if log { x = FeatureTransform.signedLog1p(x) }
            return Float((x - mean) / scale)
        }

        /// ``apply(_:)`` on every value of `values`, written to `out`: the same
        /// operations in the same order per value (so the same bits), four values
        /// at a time when there is no log.
        public func apply(_ values: UnsafeBufferPointer<Float>, into out: UnsafeMutablePointer<Float>) {
            var index = 0
            if !log, let base = values.baseAddress {
                let raw = UnsafeRawPointer(base)
                let fills = SIMD4<Double>(repeating: fill), means = SIMD4<Double>(repeating: mean)
                let scales = SIMD4<Double>(repeating: scale)
                while index + 4 <= values.count {
                    let v = SIMD4<Double>(raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD4<Float>.self))
                    let x = v.replacing(with: fills, where: v .!= v)
                    UnsafeMutableRawPointer(out + index).storeBytes(of: SIMD4<Float>((x - means) / scales), as: SIMD4<Float>.self)
                    index += 4
                }
            }
            while index < values.count {
                out[index] = apply(values[index])
                index += 1
            }
        }
    }

    /// A categorical column: one 0/1 feature `column=value` per kept category;
    /// with `other`, one more, `column=(other)`, for any other present value
    /// (also values unseen in training). Missing gives all zeros.
    public struct OneHot: Codable, Sendable, Equatable {
        public var column: String
        public var categories: [String]
        public var other: Bool
        public init(column: String, categories: [String], other: Bool = false) {
            self.column = column
            self.categories = categories
            self.other = other
        }

        enum CodingKeys: String, CodingKey { case column, categories, other }

        /// `other` is absent in `sluice.transform/1`.
        public init(from decoder: any Decoder) throws {
            let keys = try decoder.container(keyedBy: CodingKeys.self)
            column = try keys.decode(String.self, forKey: .column)
            categories = try keys.decode([String].self, forKey: .categories)
            other = try keys.decodeIfPresent(Bool.self, forKey: .other) ?? false
        }

        /// For each code of a column's `dictionary`, the index in ``features`` of
        /// the 0/1 feature it sets: its category's, the `(other)` feature's, or -1.
        public func featureOfCode(dictionary: [String]) -> [Int32] {
            let index = Dictionary(categories.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
            let otherIndex: Int32 = other ? Int32(categories.count) : -1
            return dictionary.map { index[$0] ?? otherIndex }
        }
        /// Feature name for a category.
        public func feature(_ category: String) -> String { "\(column)=\(category)" }
        public var otherFeature: String { "\(column)=(other)" }
        public var features: [String] { categories.map(feature) + (other ? [otherFeature] : []) }
    }

    /// A high-cardinality categorical column hashed into `buckets` 0/1
    /// features `column#k`, k = FNV-1a-64(UTF-8 of the value) mod buckets.
    public struct Hashed: Codable, Sendable, Equatable {
        public var column: String
        public var buckets: Int
        public init(column: String, buckets: Int) {
            self.column = column
            self.buckets = buckets
        }
        public var features: [String] { (0..<buckets).map { "\(column)#\($0)" } }
        public func bucket(_ value: String) -> Int { Int(FeatureTransform.fnv1a64(value) % UInt64(buckets)) }
        /// For each code of a column's `dictionary`, its bucket (the index in ``features``).
        public func featureOfCode(dictionary: [String]) -> [Int32] { dictionary.map { Int32(bucket($0)) } }
    }

    public var format: String = FeatureTransform.format
    public var target: String
    public var numeric: [Numeric]
    public var oneHot: [OneHot]
    public var hashed: [Hashed]

    public init(target: String, numeric: [Numeric], oneHot: [OneHot], hashed: [Hashed] = []) {
        self.target = target
        self.numeric = numeric
        self.oneHot = oneHot
        self.hashed = hashed
    }

    enum CodingKeys: String, CodingKey { case format, target, numeric, oneHot, hashed }

    /// `target` and `hashed` are absent in `sluice.transform/1`.
    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        format = try keys.decode(String.self, forKey: .format)
        target = try keys.decodeIfPresent(String.self, forKey: .target) ?? ""
        numeric = try keys.decode([Numeric].self, forKey: .numeric)
        oneHot = try keys.decode([OneHot].self, forKey: .oneHot)
        hashed = try keys.decodeIfPresent([Hashed].self, forKey: .hashed) ?? []
    }

    /// Reads `transform.json` (`sluice.transform/1` or `/2`).
    /// - Throws: ``FormatError`` naming `file` and what is wrong.
    public static func decode(_ bytes: [UInt8], file: String = "transform.json") throws -> FeatureTransform {
        let transform = try FormatCoding.decode(FeatureTransform.self, from: bytes, file: file)
        guard ["sluice.transform/1", FeatureTransform.format].contains(transform.format) else {
            throw FormatError("\(file) has format '\(transform.format)'; expected 'sluice.transform/1' or '\(FeatureTransform.format)'")
        }
        return transform
    }

    /// The bytes the features stage writes (pretty, sorted, snake_case).
    public func encoded() throws -> [UInt8] { Array(try FormatCoding.prettyEncoder().encode(self)) }

    /// Output feature names in order.
    public var features: [String] {
        numeric.map(\.column) + oneHot.flatMap(\.features) + hashed.flatMap(\.features)
    }

    /// sign(x) · ln(1 + |x|): a log transform defined for every value.
    @inline(__always)
    public static func signedLog1p(_ x: Double) -> Double {
        x < 0 ? -log1p(-x) : log1p(x)
    }

    /// FNV-1a, 64 bits, over the UTF-8 bytes: the hash of hashed columns.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}
