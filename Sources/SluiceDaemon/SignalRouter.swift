import ServiceLifecycle
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Routes the daemon's signals: SIGHUP asks the ``ConfigReloader`` to
/// reload; SIGTERM or SIGINT ends this service, which (configured with
/// `.gracefullyShutdownGroup`) starts the group's graceful shutdown. A
/// thread of its own reads the ``SignalPipe``.
struct SignalRouter: Service {
    let context: DaemonContext
    let pipe: Int32
    let reloads: AsyncStream<Void>.Continuation

    func run() async throws {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        DedicatedThread.start("sluice-signals") { [pipe] in
            var byte: UInt8 = 0
            while true {
                let count = read(pipe, &byte, 1)
                if count == 1 { continuation.yield(Int32(byte)) } else if count < 0 && errno == EINTR { continue } else { break }
            }
            continuation.finish()
        }
        for await signal in signals.cancelOnGracefulShutdown() {
            switch signal {
            case SIGHUP:
                reloads.yield()
            case SIGTERM, SIGINT:
                context.logger.debug("signal \(signal): shutting down")
                return
            default:
                break
            }
        }
    }
}
