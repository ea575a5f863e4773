import Foundation

/// Runs `count` bodies on their own threads at once and returns their results in order.
enum ConcurrentResults {
    static func collect<T: Sendable>(count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let box = ResultSlots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            box.results[index] = Result { try body(index) }
        }
        return try box.results.map { try $0!.get() }
    }
}

/// One result slot per thread.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: each slot is written by one thread only, and read after all have finished.
    var results: [Result<T, any Error>?]
    init(_ count: Int) { results = Array(repeating: nil, count: count) }
}
