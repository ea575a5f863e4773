import ServiceLifecycle
import SluiceConfig
import SluiceEngine
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Queues, claims and dispatch: drops the watcher saw wait in per-pipeline
/// queues (de-duplicated); a drop is claimed (renamed into `work/`) only when
/// a worker slot is free, and runs in its own `sluice work` child from the
/// ``WorkerPool``. A pipeline runs one drop at a time, in arrival order;
/// pipelines run in parallel up to `workers`. On graceful shutdown it stops
/// dispatching, says STOPPING, and returns once running work has finished
/// (or been killed after ``stopGraceSeconds``; recovery re-runs it).
///
/// Every method but `run` is synchronous, so no two interleave.
actor Scheduler: Service {
    /// How long running workers may take to finish after SIGTERM before they
    /// are killed (their runs are then re-run at the next start).
    static let stopGraceSeconds = 20.0

    /// Most names queued per pipeline. Past it, names are not kept in memory:
    /// the inbox itself holds the backlog, and it is rescanned when the queue
    /// has drained.
    static let maxQueuedPerPipeline = 10_000

    let context: DaemonContext
    private(set) var configuration: SluiceConfiguration
    private let pool: WorkerPool
    private nonisolated let workerEvents: AsyncStream<WorkerEvent>
    private let metrics: MetricsWriter
    private var queues: [String: [QueuedDrop]] = [:]
    private var queuedKeys = Set<String>()
    /// Pipelines whose queue hit the bound since their inbox was last scanned.
    private var overflowed = Set<String>()
    /// Which lane dispatch looks at first: the one after the lane that started
    /// a run last, so a backlog in one pipeline does not keep the others waiting.
    private var rotation = 0
    /// Folders found in an inbox, each warned about once.
    private var warnedFolders = Set<String>()
    /// Lanes with a drop that could not be claimed (a full disk, an I/O error):
    /// their inbox is scanned again at this time, so the drop is taken once the
    /// cause is gone — not only after a restart.
    private var claimRetries: [String: Double] = [:]
    static let claimRetrySeconds = 5.0
    private var stoppingSince: Double?
    /// The latest monitor action per pipeline, shown in STATUS until the daemon restarts.
    private var monitorNotes: [String: String] = [:]
    private var whenStopped: CheckedContinuation<Void, Never>?
    /// With a shared ledger: claims, lanes and leases across hosts.
    private let shared: SharedInbox?
    /// Lanes this host holds in the shared ledger.
    private var heldLanes = Set<String>()
    private var nextHousekeeping = 0.0
    private var nextRescan = 0.0
    private var nextSharedDispatch = 0.0
    /// Hosts alive in the shared ledger (this one included), from the last heartbeat.
    private var liveHosts = 1

    /// Work folders recovery left because a worker of an earlier daemon still
    /// held them; each is recovered once its lock is let go.
    private var heldFolders: Set<String>
    private var nextHeldCheck = 0.0

    init(context: DaemonContext, configuration: SluiceConfiguration, metrics: MetricsWriter, shared: SharedInbox? = nil,
         heldFolders: Set<String> = []) {
        self.heldFolders = heldFolders
        self.context = context
        self.configuration = configuration
        self.metrics = metrics
        self.shared = shared
        liveHosts = shared?.heartbeat(configuration: configuration) ?? 1
        pool = WorkerPool(context: context)
        workerEvents = pool.events
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { [workerEvents] in
                for await event in workerEvents { await self.handle(event) }
            }
            group.addTask {
                while true {
                    do { try await Task.sleep(for: .milliseconds(250)) } catch { return }   // cancelled: stopped
                    await self.tick()
                }
            }
            group.addTask {
                // Thrown only when the group is cancelled instead; stopping is then moot.
                do { try await gracefulShutdown() } catch { return }
                await self.beginStopping()
            }
            await untilStopped()
            group.cancelAll()
        }
    }

    // MARK: Intake

    /// Queues drops and starts what can start.
    func enqueue(_ drops: [QueuedDrop]) {
        for drop in drops { add(drop) }
        dispatch()
    }

    private func add(_ drop: QueuedDrop) { add(drop, first: false) }

    /// Queues a drop at the end of its lane, or at the front (`first`: a run given back keeps its turn).
    private func add(_ drop: QueuedDrop, first: Bool) {
        if case .inbox = drop.source, queues[drop.lane, default: []].count >= Self.maxQueuedPerPipeline {
            if overflowed.insert(drop.lane).inserted {
                context.logger.warning("[\(drop.lane)] more than \(Self.maxQueuedPerPipeline) drops waiting; the rest stay in the inbox until the queue drains")
            }
            return
        }
        guard queuedKeys.insert(drop.key).inserted else { return }
        if first {
            queues[drop.lane, default: []].insert(drop, at: 0)
        } else {
            queues[drop.lane, default: []].append(drop)
        }
        context.logger.debug("[\(drop.pipeline)] queued \(FileSystem.baseName(drop.key))")
    }

    /// Whether a drop is queued (the watcher does not time a file it already queued).
    func isQueued(_ path: String) -> Bool { queuedKeys.contains(path) }

    /// A new configuration: running work finishes on the old one; queues of
    /// pipelines that are gone are forgotten (their files stay in the inbox).
    func apply(_ next: SluiceConfiguration) {
        configuration = next
        metrics.changed(next)
        pool.retireIdle(now: Timestamp.monotonic(), configuration: next)
        let lanes = Set(Self.lanes(next).map(\.lane))
        for lane in queues.keys where !lanes.contains(lane) {
            for drop in queues.removeValue(forKey: lane) ?? [] { queuedKeys.remove(drop.key) }
        }
        dispatch()
    }

    // MARK: Dispatch

    private func dispatch() {
        defer { context.notifier.status(statusText()) }
        guard stoppingSince == nil else { return }
        let busy = pool.busyLanes
        let all = Self.lanes(configuration)
        let first = all.isEmpty ? 0 : rotation % all.count
        for index in Array(all.indices[first...]) + Array(all.indices[..<first]) {
            let (pipeline, kind, folder, lane) = all[index]
            guard pool.count < configuration.workers, !busy.contains(lane) else { continue }
            if queues[lane, default: []].isEmpty, overflowed.remove(lane) != nil {
                for path in context.scanInbox(folder, pipeline: pipeline.name) {
                    add(QueuedDrop(pipeline: pipeline.name, source: .inbox(path), kind: kind))
                }
            }
            if let shared, !(queues[lane]?.isEmpty ?? true), !heldLanes.contains(lane) {
                // Another host runs this lane now, or this host has its share: the drops wait here.
                guard heldLanes.count < fairShare, shared.takeLane(lane, configuration: configuration) else { continue }
                heldLanes.insert(lane)
            }
            if startNext(lane, pipeline: pipeline) { rotation = index + 1 }
        }
        sendAhead()
        if let shared {
            let busyNow = pool.busyLanes
            for lane in heldLanes where !busyNow.contains(lane)
                && ((queues[lane]?.isEmpty ?? true) || heldLanes.count > fairShare) {
                heldLanes.remove(lane)
                shared.releaseLane(lane)
            }
        }
    }

    /// For each busy lane whose lane worker can take one more, the lane's next
    /// drop is claimed now and sent to it, so it starts the moment the
    /// current run ends (the lane still runs one drop at a time).
    /// Not while another lane with drops waiting has no worker: that lane gets the next free one.
    private func sendAhead() {
        let busy = pool.busyLanes
        let waiting = queues.filter { !$0.value.isEmpty && !busy.contains($0.key) && (shared == nil || heldLanes.contains($0.key)) }
        guard waiting.isEmpty else { return }
        for (pipeline, _, _, lane) in Self.lanes(configuration) where !(queues[lane]?.isEmpty ?? true) {
            guard let pid = pool.aheadSlot(lane: lane, configuration: configuration),
                  shared == nil || heldLanes.contains(lane) else { continue }
            startNext(lane, pipeline: pipeline, ahead: pid)
        }
    }

    /// Starts the first drop of `lane`'s queue that still has something to
    /// run (or sends it ahead to the lane worker `ahead`); false when none had.
    @discardableResult
    private func startNext(_ lane: String, pipeline: PipelineConfiguration, ahead: pid_t? = nil) -> Bool {
        while var queue = queues[lane], !queue.isEmpty {
            let drop = queue.removeFirst()
            queues[lane] = queue
            queuedKeys.remove(drop.key)
            if start(drop, pipeline: pipeline, ahead: ahead) { return true }
        }
        return false
    }

    /// Runs sent ahead to a worker that ended first go back to the front of their lane.
    private func requeueReturned() -> Bool {
        let returned = pool.takeReturned()
        for drop in returned.reversed() { add(drop, first: true) }
        return !returned.isEmpty
    }

    /// Every pipeline's lanes in order: its training inbox, then scoring and labels when it has them.
    static func lanes(_ configuration: SluiceConfiguration)
        -> [(pipeline: PipelineConfiguration, kind: DropKind, folder: String, lane: String)] {
        configuration.pipelines.flatMap { pipeline in
            [(DropKind.train, pipeline.inbox), (.score, pipeline.monitoring.scoringInbox), (.labels, pipeline.monitoring.labelsInbox)]
                .compactMap { kind, folder in folder.map { (pipeline, kind, $0, QueuedDrop.lane(pipeline.name, kind)) } }
        }
    }

    /// Claims and starts one drop (or sends it to the lane worker `ahead`, to
    /// run after its current run); false if there was nothing to run after all.
    private func start(_ drop: QueuedDrop, pipeline: PipelineConfiguration, ahead: pid_t? = nil) -> Bool {
        switch drop.source {
        case .inbox(let path):
            guard InboxRefusal.admit(path, pipeline: pipeline.name, kind: drop.kind, warnedFolders: &warnedFolders,
                                     configuration: configuration, ledger: context.ledger, logger: context.logger) else {
                return false
            }
            let claim: DropClaim
            do {
                if let shared {
                    guard let won = try shared.claim(path, pipeline: pipeline.name, kind: drop.kind,
                                                     configuration: configuration) else { return false }
                    claim = won
                } else {
                    claim = try DropClaim.claim(path, pipeline: pipeline.name, workRoot: configuration.workDirectory,
                                                kind: drop.kind)
                }
            } catch let error as SystemError where error.code == ENOENT {
                context.logger.info("[\(pipeline.name)] \(FileSystem.baseName(path)) was gone before it could be claimed (moved away or deleted by its writer)")
                return false
            } catch {
                context.logger.warning("[\(pipeline.name)] could not claim \(FileSystem.baseName(path)): \(error); trying again in \(Int(Self.claimRetrySeconds)) s")
                claimRetries[drop.lane] = claimRetries[drop.lane] ?? Timestamp.monotonic() + Self.claimRetrySeconds
                return false
            }
            run(claim, runKey: claim.runKey, dropId: nil, pipeline: pipeline, ahead: ahead)
        case .requeue(let requeue):
            if let shared, !shared.stillHolds(requeue.claim) { return false }
            run(requeue.claim, runKey: requeue.runKey, dropId: requeue.dropId, pipeline: pipeline, ahead: ahead)
        }
        return true
    }

    private func run(_ claim: DropClaim, runKey: String, dropId: Int64?, pipeline: PipelineConfiguration, ahead: pid_t?) {
        if let ahead {
            pool.sendAhead(to: ahead, claim: claim, runKey: runKey, dropId: dropId, pipeline: pipeline)
        } else {
            pool.start(claim: claim, runKey: runKey, dropId: dropId, pipeline: pipeline, configuration: configuration)
        }
    }

    private func handle(_ event: WorkerEvent) {
        let ended = pool.handle(event, stoppingSince: stoppingSince, configuration: configuration)
        let returned = requeueReturned()
        if let pipeline = ended {
            closeFiledClaims()
            noteMonitorAction(pipeline)
            metrics.changed(configuration)
            dispatch()
            resumeIfStopped()
        } else if returned {
            dispatch()
        } else {
            context.notifier.status(statusText())
        }
    }

    /// The latest monitor action of a pipeline (taken in its worker), for the status line.
    private func noteMonitorAction(_ pipeline: String) {
        do {
            if let action = try context.ledger.monitorActions(pipeline: pipeline).last {
                monitorNotes[pipeline] = "\(pipeline): monitor \(action.action) at \(action.at.prefix(16)) (\(action.outcome))"
            }
        } catch {
            context.logger.warning("[\(pipeline)] could not read the monitor's actions: \(error)")
        }
    }

    private func tick() {
        let now = Timestamp.monotonic()
        pool.enforceLimits(now: now, stoppingSince: stoppingSince, stopGrace: Self.stopGraceSeconds)
        pool.retireIdle(now: now, configuration: configuration, all: stoppingSince != nil)
        let returned = requeueReturned()
        let due = pool.due(now: now, configuration: configuration)
        let rescans = claimRetries.filter { $0.value <= now }.map(\.key)
        for lane in rescans { claimRetries.removeValue(forKey: lane) }
        for (pipeline, kind, folder, lane) in Self.lanes(configuration) where rescans.contains(lane) {
            for path in context.scanInbox(folder, pipeline: pipeline.name) {
                add(QueuedDrop(pipeline: pipeline.name, source: .inbox(path), kind: kind))
            }
        }
        let periodic = sharedHousekeeping(now: now) + periodicRescan(now: now) + releasedFolders(now: now)
        if returned || !due.isEmpty || !rescans.isEmpty || !periodic.isEmpty {
            due.forEach(add)
            periodic.forEach(add)
            dispatch()
        } else if shared != nil, now >= nextSharedDispatch, queues.values.contains(where: { !$0.isEmpty }) {
            // A lane another host let go sends no event here: look again each second.
            nextSharedDispatch = now + 1
            dispatch()
        }
    }

    /// How many lanes one host may run at once: all of them shared out evenly
    /// among the live hosts, so one host does not take every lane of a cluster.
    private var fairShare: Int {
        let lanes = Self.lanes(configuration).count
        return max(1, (lanes + liveHosts - 1) / max(1, liveHosts))
    }

    /// With a shared ledger, as soon as a worker ends: the claims of drops it filed are marked done.
    private func closeFiledClaims() {
        guard let shared else { return }
        do {
            try shared.closeFiled(active: pool.activeWorkFolders, configuration: configuration)
        } catch {
            context.logger.warning("could not mark filed claims done in the shared ledger: \(error); the next housekeeping will")
        }
    }

    /// With a shared ledger, every third of `lease_seconds`: leases renewed,
    /// filed claims closed, and the drops of hosts that died taken over.
    private func sharedHousekeeping(now: Double) -> [QueuedDrop] {
        guard let shared, stoppingSince == nil, now >= nextHousekeeping else { return [] }
        nextHousekeeping = now + configuration.leaseSeconds / 3
        liveHosts = shared.heartbeat(configuration: configuration)
        var active = pool.activeWorkFolders
        for drop in queues.values.joined() {
            if case .requeue(let requeue) = drop.source { active.insert(FileSystem.baseName(requeue.claim.workDirectory)) }
        }
        do {
            return try shared.housekeeping(active: active, configuration: configuration).map {
                QueuedDrop(pipeline: $0.claim.pipeline, source: .requeue($0), kind: $0.claim.kind)
            }
        } catch {
            context.logger.warning("shared ledger housekeeping failed (leases not renewed this time): \(error)")
            return []
        }
    }

    /// Every second: the held folders whose worker has let go, recovered.
    private func releasedFolders(now: Double) -> [QueuedDrop] {
        guard !heldFolders.isEmpty, stoppingSince == nil, now >= nextHeldCheck else { return [] }
        nextHeldCheck = now + 1
        let work = configuration.workDirectory
        do {
            let released = try heldFolders.filter { try !DropClaim.isHeldByAWorker(work + "/" + $0, timeout: 0) }
            guard !released.isEmpty else { return [] }
            heldFolders.subtract(released)
            context.logger.info("\(released.count) work folder\(released.count == 1 ? "" : "s") an earlier worker held \(released.count == 1 ? "is" : "are") free now; recovering \(released.sorted().joined(separator: ", "))")
            return try Recovery.run(configuration: configuration, ledger: context.ledger, logger: context.logger,
                                    only: released).map {
                QueuedDrop(pipeline: $0.claim.pipeline, source: .requeue($0), kind: $0.claim.kind)
            }
        } catch {
            context.logger.error("could not recover the work folders an earlier worker held: \(error); they are recovered at the next start")
            heldFolders.removeAll()
            return []
        }
    }

    /// Every `rescan_seconds` (when set): the inboxes listed again, for files
    /// inotify cannot see (written on another host of a network share). A file
    /// modified within `settle_seconds` waits for the next look.
    private func periodicRescan(now: Double) -> [QueuedDrop] {
        guard let every = configuration.rescanSeconds, stoppingSince == nil, now >= nextRescan else { return [] }
        nextRescan = now + every
        let settledBefore = Timestamp.unixNow() - configuration.settleSeconds
        var found: [QueuedDrop] = []
        for (pipeline, kind, folder, _) in Self.lanes(configuration) {
            for path in context.scanInbox(folder, pipeline: pipeline.name) where !queuedKeys.contains(path) {
                var info = stat()
                guard lstat(path, &info) == 0,
                      Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9 < settledBefore else { continue }
                found.append(QueuedDrop(pipeline: pipeline.name, source: .inbox(path), kind: kind))
            }
        }
        return found
    }

    // MARK: Stopping

    private func beginStopping() {
        guard stoppingSince == nil else { return }
        stoppingSince = Timestamp.monotonic()
        pool.retireIdle(now: stoppingSince ?? 0, configuration: configuration, all: true)
        context.notifier.send("STOPPING=1")
        context.logger.info("stopping: \(pool.count) run\(pool.count == 1 ? "" : "s") to finish (at most \(Int(Self.stopGraceSeconds)) s)")
        context.notifier.status(statusText())
        resumeIfStopped()
    }

    private func untilStopped() async {
        if stoppingSince != nil && pool.isEmpty { return }
        await withCheckedContinuation { whenStopped = $0 }
    }

    private func resumeIfStopped() {
        guard stoppingSince != nil, pool.isEmpty, let waiting = whenStopped else { return }
        whenStopped = nil
        shared?.stop(configuration: configuration)
        waiting.resume()
    }

    // MARK: Status

    /// The `STATUS=` line: idle or what each worker is doing, and how many wait.
    func statusText() -> String {
        guard let shared else { return localStatus() }
        return "host \(shared.host), \(pool.count) run\(pool.count == 1 ? "" : "s") held: " + localStatus()
    }

    private func localStatus() -> String {
        if stoppingSince != nil { return "stopping, \(pool.count) run\(pool.count == 1 ? "" : "s") finishing" }
        let waiting = queues.values.reduce(0) { $0 + $1.count }
        let notes = monitorNotes.keys.sorted().map { "; \(monitorNotes[$0]!)" }.joined()
        if pool.isEmpty {
            let count = configuration.pipelines.count
            return "idle, \(count) pipeline\(count == 1 ? "" : "s")" + (waiting > 0 ? ", \(waiting) queued" : "") + notes
        }
        return pool.statusParts().joined(separator: "; ") + (waiting > 0 ? "; \(waiting) queued" : "") + notes
    }
}
