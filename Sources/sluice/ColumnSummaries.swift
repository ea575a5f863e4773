/// The rows of `sluice inspect`'s column table, filled one column per thread.
final class ColumnSummaries: @unchecked Sendable {
    // @unchecked Sendable: each slot is written by exactly one thread of a
    // concurrentPerform, and read only after it has returned.
    var cells: [[String]?]

    init(count: Int) {
        cells = Array(repeating: nil, count: count)
    }
}
