import Dispatch

/// `body(0) … body(count − 1)` on all cores, results in index order. Each
/// result slot is written by exactly one iteration (raw storage: an array
/// written from several threads would be an exclusivity violation).
public func concurrentMap<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = UnsafeMutablePointer<T?>.allocate(capacity: max(count, 1))
    slots.initialize(repeating: nil, count: count)
    defer { slots.deinitialize(count: count); slots.deallocate() }
    let shared = UncheckedSendable(slots)
    DispatchQueue.concurrentPerform(iterations: count) { index in shared.value[index] = body(index) }
    return (0..<count).map { slots[$0]! }
}

/// A value handed to concurrent iterations that only read it (a host column,
/// say), or that write disjoint parts of it.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
