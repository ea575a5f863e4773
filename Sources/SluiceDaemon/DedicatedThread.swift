import Foundation

/// A thread of its own for work that blocks in a system call (`poll`,
/// `read`, `waitpid`): the concurrency pool has as many threads as cores (two
/// here), and one blocked there would stall every service.
enum DedicatedThread {
    static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
