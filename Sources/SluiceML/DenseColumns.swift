/// A column-major Float32 matrix of the selected rows, each column padded with
/// zeros to a multiple of ``DenseColumns/lanes`` so kernels run whole SIMD
/// vectors without a scalar tail.
public struct DenseColumns: Sendable {
    /// SIMD width the padding is made for.
    public static let lanes = 16
    /// Rows actually present.
    public let rowCount: Int
    /// Rows including padding.
    public let paddedCount: Int
    /// Column-major values: column j occupies `j*paddedCount ..< (j+1)*paddedCount`.
    public let values: [Float]
    public let columnCount: Int

    /// Gathers `rows` from each source column (NaN becomes 0: impute before training).
    public init(columns: [UnsafeBufferPointer<Float>], rows: [Int]) {
        rowCount = rows.count
        paddedCount = (rows.count + Self.lanes - 1) / Self.lanes * Self.lanes
        columnCount = columns.count
        var values = [Float](repeating: 0, count: paddedCount * columns.count)
        for (j, column) in columns.enumerated() {
            let base = j * paddedCount
            for (i, row) in rows.enumerated() {
                let value = column[row]
                values[base + i] = value.isNaN ? 0 : value
            }
        }
        self.values = values
    }
}
