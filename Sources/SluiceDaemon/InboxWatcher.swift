import ServiceLifecycle
import SluiceConfig
import SluiceEngine
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Watches every pipeline's inbox with inotify and hands what arrives to the
/// ``Scheduler``: a file closed by its writer or renamed in is queued at
/// once; a file created but never closed is queued once its size has been
/// stable for `settle_seconds`; an overflowed inotify queue (or a failed
/// read) rescans every inbox; a vanished inbox is reported. A thread of its
/// own waits in `poll(2)` on the inotify descriptor and a wake pipe, so no
/// blocking call runs on the concurrency pool.
actor InboxWatcher: Service {
    private struct Settling {
        let pipeline: String
        let kind: DropKind
        var size: Int64
        var since: Double
    }

    let context: DaemonContext
    private let inotify: Inotify
    private let scheduler: Scheduler
    private var configuration: SluiceConfiguration
    /// Watch descriptor → (pipeline, folder, which inbox of it).
    private var watches: [Int32: (pipeline: String, folder: String, kind: DropKind)] = [:]
    private var settling: [String: Settling] = [:]
    private let wake: (read: Int32, write: Int32)

    init(context: DaemonContext, scheduler: Scheduler, configuration: SluiceConfiguration) throws {
        self.context = context
        self.scheduler = scheduler
        self.configuration = configuration
        inotify = try Inotify()
        wake = try Syscall.pipe(nonBlocking: true)
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// (Re)creates the watches for `configuration`'s pipelines and queues
    /// everything already waiting in their inboxes.
    func watch(_ next: SluiceConfiguration) async {
        configuration = next
        for watch in watches.keys { inotify.remove(watch) }
        watches.removeAll()
        for pipeline in next.pipelines {
            do {
                try FileSystem.createDirectory(pipeline.inbox)
                for folder in [next.archiveDirectory(pipeline.name), next.quarantineDirectory(pipeline.name),
                               next.outboxDirectory(pipeline.name)] {
                    try FileSystem.createDirectory(folder)
                }
                watches[try inotify.watch(pipeline.inbox)] = (pipeline.name, pipeline.inbox, .train)
                for (folder, kind) in [(pipeline.monitoring.scoringInbox, DropKind.score), (pipeline.monitoring.labelsInbox, .labels)] {
                    guard let folder else { continue }
                    try FileSystem.createDirectory(folder)
                    watches[try inotify.watch(folder)] = (pipeline.name, folder, kind)
                }
            } catch {
                context.logger.error("[\(pipeline.name)] cannot watch inbox \(pipeline.inbox): \(error); this pipeline is not served")
                context.recordEvent(level: .error, kind: "inbox.unavailable", pipeline: pipeline.name,
                                    message: "cannot watch inbox \(pipeline.inbox): \(error)")
            }
        }
        await rescan()
    }

    func run() async throws {
        let (events, continuation) = AsyncThrowingStream.makeStream(of: [Inotify.Event].self)
        DedicatedThread.start("sluice-inotify") { [inotify, wake, context] in
            Self.wait(on: inotify, wake: wake.read, context: context, into: continuation)
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { [wake] in
                // Graceful shutdown or cancellation: either way the thread is woken and ends the stream.
                do { try await gracefulShutdown() } catch {}
                var byte: UInt8 = 1
                _ = write(wake.write, &byte, 1)
            }
            group.addTask {
                while true {
                    do { try await Task.sleep(for: .milliseconds(250)) } catch { return }   // cancelled: stopped
                    await self.checkSettling()
                }
            }
            for try await batch in events { await handle(batch) }
            group.cancelAll()
        }
        for watch in watches.keys { inotify.remove(watch) }
        watches.removeAll()
    }

    /// The thread: waits for inotify events and yields them, until woken.
    private static func wait(on inotify: Inotify, wake: Int32, context: DaemonContext,
                             into continuation: AsyncThrowingStream<[Inotify.Event], Error>.Continuation) {
        while true {
            var fds = [pollfd(fd: inotify.descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            do {
                try Syscall.poll(&fds, timeoutMilliseconds: -1)
            } catch {
                continuation.finish(throwing: error)
                return
            }
            if fds[1].revents != 0 { break }
            do {
                let events = try inotify.drain()
                if !events.isEmpty { continuation.yield(events) }
            } catch {
                context.logger.error("reading inotify events failed: \(error); rescanning every inbox")
                continuation.yield([Inotify.Event(kind: .overflow, watch: -1, name: "")])
            }
        }
        continuation.finish()
    }

    private func handle(_ events: [Inotify.Event]) async {
        var arrived: [QueuedDrop] = []
        for event in events {
            switch event.kind {
            case .overflow:
                context.logger.warning("inotify queue overflowed; rescanning every inbox")
                await rescan()
            case .folderGone:
                guard let gone = watches.removeValue(forKey: event.watch) else { continue }
                context.logger.error("[\(gone.pipeline)] inbox folder disappeared; this pipeline is not served until it exists again and sluice is reloaded")
                context.recordEvent(level: .error, kind: "inbox.gone", pipeline: gone.pipeline,
                                    message: "inbox folder disappeared")
            case .closedOrMovedIn, .created:
                guard let watched = watches[event.watch], InboxScanner.isDropName(event.name) else { continue }
                let path = watched.folder + "/" + event.name
                if event.kind == .closedOrMovedIn {
                    settling.removeValue(forKey: path)
                    arrived.append(QueuedDrop(pipeline: watched.pipeline, source: .inbox(path), kind: watched.kind))
                } else if settling[path] == nil {
                    // Created but not yet closed: taken when closed, or when its size has settled.
                    settling[path] = Settling(pipeline: watched.pipeline, kind: watched.kind, size: Self.size(path),
                                              since: Timestamp.monotonic())
                }
            }
        }
        if !arrived.isEmpty { await scheduler.enqueue(arrived) }
    }

    /// Queues every drop waiting in every watched inbox.
    private func rescan() async {
        var waiting: [QueuedDrop] = []
        for watched in watches.values.sorted(by: { ($0.pipeline, $0.folder) < ($1.pipeline, $1.folder) }) {
            waiting += context.scanInbox(watched.folder, pipeline: watched.pipeline)
                .map { QueuedDrop(pipeline: watched.pipeline, source: .inbox($0), kind: watched.kind) }
        }
        await scheduler.enqueue(waiting)
    }

    /// Files that were created but never closed, taken once their size is stable.
    private func checkSettling() async {
        guard !settling.isEmpty else { return }
        let now = Timestamp.monotonic()
        var settled: [QueuedDrop] = []
        for (path, entry) in settling {
            let size = Self.size(path)
            if size < 0 {
                settling.removeValue(forKey: path)   // gone: claimed, or moved away by its writer
            } else if size != entry.size {
                settling[path] = Settling(pipeline: entry.pipeline, kind: entry.kind, size: size, since: now)
            } else if now - entry.since >= configuration.settleSeconds {
                settling.removeValue(forKey: path)
                if await scheduler.isQueued(path) { continue }
                context.logger.info("[\(entry.pipeline)] \(FileSystem.baseName(path)) was never closed but its size settled; taking it")
                settled.append(QueuedDrop(pipeline: entry.pipeline, source: .inbox(path), kind: entry.kind))
            }
        }
        if !settled.isEmpty { await scheduler.enqueue(settled) }
    }

    /// A file's size, or -1 when it is no longer there.
    private static func size(_ path: String) -> Int64 {
        do { return try FileSystem.size(path) } catch { return -1 }
    }
}
