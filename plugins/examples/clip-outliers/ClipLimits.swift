import Foundation

/// `clip-outliers.json` (format `sluice.clip-outliers/1`): the quantiles asked
/// for and, per column, the limits fitted on the training rows.
struct ClipLimits: Codable {
    struct Bounds: Codable {
        var low: Float
        var high: Float

        /// `values` with each one outside [low, high] moved to the nearer
        /// limit (NaN stays missing), and how many moved.
        func clip(_ values: UnsafeBufferPointer<Float>) -> (values: [Float], clipped: Int) {
            var clipped = 0
            let out = values.map { value -> Float in
                if value < low { clipped += 1; return low }
                if value > high { clipped += 1; return high }
                return value
            }
            return (out, clipped)
        }
    }

    var format = "sluice.clip-outliers/1"
    var lowerQuantile: Double
    var upperQuantile: Double
    var columns: [String: Bounds]

    init(lowerQuantile: Double, upperQuantile: Double, columns: [String: Bounds]) {
        self.lowerQuantile = lowerQuantile
        self.upperQuantile = upperQuantile
        self.columns = columns
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    static func decode(_ data: Data) throws -> ClipLimits {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let limits = try decoder.decode(ClipLimits.self, from: data)
        guard limits.format == "sluice.clip-outliers/1" else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "clip-outliers.json has format \(limits.format), expected sluice.clip-outliers/1"))
        }
        return limits
    }
}
