import Logging
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// How a daemon shares its inboxes with other hosts' daemons through a
/// shared (PostgreSQL) ledger — docs/scale.md. Used by the ``Scheduler`` only,
/// so its calls never interleave with a claim:
///
/// - a drop is taken by a row in the ledger (``Ledger/takeClaim``), and only
///   the winner renames the file into `work/`;
/// - a lane (a pipeline's inbox) runs on one host at a time, in order, as one
///   daemon runs it: the champion gate and training windows need that order;
/// - every claim and lane carries a lease, renewed by ``housekeeping``; the
///   claims of a host that stopped renewing are taken over, and their drops
///   recovered and run again (counted against `max_attempts`).
struct SharedInbox {
    let ledger: any Ledger
    let host: String
    let logger: Logger

    /// Claims `path` for this host and moves it into `work/`; nil when another
    /// host holds it, or it was gone (another host or its writer took it).
    func claim(_ path: String, pipeline: String, kind: DropKind, configuration: SluiceConfiguration) throws -> DropClaim? {
        let identity: String
        do {
            identity = try DropClaim.identity(of: path)
        } catch let error as SystemError where error.code == ENOENT {
            return nil
        }
        let key = DropClaim.newKey(pipeline: pipeline, kind: kind)
        guard try ledger.takeClaim(pipeline: pipeline, kind: kind.rawValue, identity: identity, inboxPath: path,
                                   claimKey: key, host: host, leaseSeconds: configuration.leaseSeconds) else {
            logger.debug("[\(pipeline)] \(FileSystem.baseName(path)) is claimed by another host")
            return nil
        }
        do {
            return try DropClaim.claim(path, pipeline: pipeline, workRoot: configuration.workDirectory, kind: kind, runKey: key)
        } catch {
            try ledger.removeClaim(claimKey: key, host: host)
            if let error = error as? SystemError, error.code == ENOENT { return nil }
            throw error
        }
    }

    /// Whether this host still holds the claim on `claim`'s work folder. Its
    /// lease may have run out (the ledger was out of reach longer than
    /// `lease_seconds`) and another host taken the drop over: then this host
    /// lets it go rather than run it twice.
    func stillHolds(_ claim: DropClaim) -> Bool {
        let key = FileSystem.baseName(claim.workDirectory)
        do {
            if try ledger.heldClaims(host: host).contains(key) { return true }
        } catch {
            logger.warning("[\(claim.pipeline) \(claim.fileName)] cannot tell whether this host still holds its claim: \(error); running it (its worker stops if the ledger stays out of reach)")
            return true
        }
        logger.error("[\(claim.pipeline) \(claim.fileName)] this host no longer holds the claim on \(key) (its lease ran out and another host took it over); leaving the drop to that host")
        return false
    }

    /// Whether this host has (or now takes) `lane`.
    func takeLane(_ lane: String, configuration: SluiceConfiguration) -> Bool {
        do {
            return try ledger.takeLane(lane, host: host, leaseSeconds: configuration.leaseSeconds)
        } catch {
            logger.warning("[\(lane)] could not take the lane in the shared ledger: \(error)")
            return false
        }
    }

    /// Says this host is alive; returns how many hosts are (itself included).
    func heartbeat(configuration: SluiceConfiguration) -> Int {
        do {
            return try ledger.heartbeat(host: host, leaseSeconds: configuration.leaseSeconds)
        } catch {
            logger.warning("could not send this host's heartbeat to the shared ledger: \(error)")
            return 1
        }
    }

    func releaseLane(_ lane: String) {
        do {
            try ledger.releaseLane(lane, host: host)
        } catch {
            // Its lease runs out on its own; another host then takes the lane.
            logger.warning("[\(lane)] could not let the lane go in the shared ledger: \(error); its lease will run out")
        }
    }

    /// Renews this host's leases, marks done the claims whose drops are filed,
    /// and takes over the claims of hosts that stopped renewing theirs:
    /// returns their drops, recovered, to run again. `active` names the work
    /// folders this host's workers (or retries) still have.
    func housekeeping(active: Set<String>, configuration: SluiceConfiguration) throws -> [Recovery.Requeue] {
        try ledger.renewLeases(host: host, leaseSeconds: configuration.leaseSeconds)
        try closeFiled(active: active, configuration: configuration)
        let taken = try ledger.takeExpiredClaims(host: host, leaseSeconds: configuration.leaseSeconds, limit: 20)
        guard !taken.isEmpty else { return [] }
        return try takeOver(taken, configuration: configuration)
    }

    /// Marks done this host's claims whose work folder is gone (the drop is
    /// filed) and that no worker of `active` still has.
    func closeFiled(active: Set<String>, configuration: SluiceConfiguration) throws {
        let work = configuration.workDirectory
        let filed = try ledger.heldClaims(host: host).filter { !active.contains($0) && !FileSystem.isDirectory(work + "/" + $0) }
        try ledger.finishClaims(claimKeys: filed, host: host)
    }

    /// On a clean stop: filed claims closed and every lane let go, so other
    /// hosts go on at once rather than when the leases run out.
    func stop(configuration: SluiceConfiguration) {
        do {
            try closeFiled(active: [], configuration: configuration)
            try ledger.releaseLanes(host: host)
            _ = try ledger.heartbeat(host: host, leaseSeconds: -configuration.leaseSeconds)   // gone now
        } catch {
            logger.warning("could not hand back claims and lanes at stop: \(error); their leases will run out")
        }
    }

    /// At start: this host's own claims from before (none of its workers
    /// survived its restart) and any whose lease ran out, recovered.
    /// Returns the drops to run again and the work folders recovery looked at.
    func startup(configuration: SluiceConfiguration) throws -> (requeued: [Recovery.Requeue], folders: Set<String>) {
        let own = try ledger.heldClaims(host: host)
        let taken = try ledger.takeExpiredClaims(host: host, leaseSeconds: configuration.leaseSeconds, limit: 1000)
        return (try takeOver(own + taken, configuration: configuration, startup: true), Set(own + taken))
    }

    private func takeOver(_ keys: [String], configuration: SluiceConfiguration, startup: Bool = false) throws -> [Recovery.Requeue] {
        guard !keys.isEmpty else { return [] }
        do {
            logger.warning("\(startup ? "recovering" : "taking over") \(keys.count) claim\(keys.count == 1 ? "" : "s") whose lease ran out or that this host held before it restarted: \(keys.joined(separator: ", "))")
        }
        let requeued = try Recovery.run(configuration: configuration, ledger: ledger, logger: logger, only: Set(keys))
        // A claim whose drop never reached work/ (its host died between the
        // claim and the rename): the file is still in the inbox, free to claim.
        let work = configuration.workDirectory
        try ledger.finishClaims(claimKeys: keys.filter { !FileSystem.isDirectory(work + "/" + $0) }, host: host)
        return requeued
    }
}
