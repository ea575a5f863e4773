import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The shipped unit under a real systemd: PID 1 in private PID, mount and
/// cgroup namespaces (`unshare`), controlled with `nsenter … systemctl`.
/// Needs root and working `unshare`; skipped (with the reason shown) otherwise.
@Suite(.serialized, .enabled(if: SystemdSandbox.available, "needs root, unshare and /lib/systemd/systemd"))
struct SystemdServiceTests {
    @Test func theUnitStartsServesReloadsAndStopsCleanly() throws {
        let sandbox = try SystemdSandbox()
        defer { sandbox.tearDown() }

        #expect(try sandbox.systemctl(["start", "sluice.service"]).status == 0, "\(sandbox.journal())")
        #expect(eventually(timeout: 60) { sandbox.property("ActiveState") == "active" }, "\(sandbox.diagnostics())")
        #expect(eventually(timeout: 10) { sandbox.property("StatusText").hasPrefix("idle, 1 pipeline") })

        // Drop a file the producer way (temp name, then rename) and wait for the archive.
        let inbox = sandbox.hostPath("/var/lib/sluice/inbox/churn")
        #expect(eventually(timeout: 20) { FileSystem.isDirectory(inbox) })
        try FileSystem.writeAtomically(ChurnData.csv(rows: 600, seed: 11), to: inbox + "/day.csv")
        let archive = sandbox.hostPath("/var/lib/sluice/outbox/churn/churn-v1.tar.gz")
        #expect(eventually(timeout: 90) { FileSystem.isRegularFile(archive) }, "\(sandbox.journal())")
        let listing = try Command.run("/bin/tar", ["-tzf", archive])
        #expect(listing.stdout.contains("manifest.json"))
        // Plugins loaded under the hardening: all four stages ran in the worker.
        #expect(sandbox.journal().contains("stage evaluate"))

        #expect(try sandbox.systemctl(["reload", "sluice.service"]).status == 0)
        #expect(eventually(timeout: 20) { sandbox.journal().contains("configuration reloaded") })
        #expect(eventually(timeout: 10) { sandbox.property("ActiveState") == "active" })

        #expect(try sandbox.systemctl(["stop", "sluice.service"]).status == 0)
        #expect(sandbox.property("Result") == "success", "\(sandbox.journal())")
        #expect(sandbox.property("ActiveState") == "inactive")

        // Nothing is left behind: no processes in the sandbox, no cgroups it made.
        let systemdPid = sandbox.pid
        sandbox.tearDown()
        #expect(kill(systemdPid, 0) == -1)
        #expect(sandbox.childCgroups.isEmpty, "\(sandbox.childCgroups)")
    }
}

/// A private systemd for one test.
final class SystemdSandbox {
    static let systemd = "/lib/systemd/systemd"

    /// Whether this machine lets us build the sandbox.
    static let available: Bool = {
        guard getuid() == 0, FileSystem.exists(systemd), FileSystem.exists("/usr/bin/unshare") else { return false }
        // The same namespaces and mounts the sandbox needs, or skip.
        let probe = try? Command.run("/usr/bin/unshare", [
            "--fork", "--pid", "--mount", "--cgroup", "--mount-proc", "--propagation", "private", "/bin/sh", "-c",
            "mount -t tmpfs tmpfs /run && mount -t cgroup2 none /sys/fs/cgroup && test -x /usr/bin/nsenter",
        ])
        return probe?.status == 0
    }()

    let scratch: String
    /// Where the scratch install appears inside the sandbox. Never under /tmp
    /// (the unit has PrivateTmp=yes), wherever the checkout lives.
    static let inside = "/run/sluice-test"
    let unshare = Process()
    var pid: Int32 = 0
    let hostCgroup: String

    init() throws {
        // Outside /tmp: the unit has PrivateTmp=yes.
        let scratch = BuildProducts.directory + "/systemd-sandbox-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.scratch = scratch
        // Our cgroup2 folder: where the cgroup2 hierarchy is mounted (/sys/fs/cgroup, or
        // /sys/fs/cgroup/unified on hybrid hosts) plus our path in it.
        let cgroupLine = try FileSystem.readText("/proc/self/cgroup").split(separator: "\n").first { $0.hasPrefix("0::") }
        let mount = try FileSystem.readText("/proc/self/mountinfo").split(separator: "\n")
            .first { $0.contains(" - cgroup2 ") }.map { String($0.split(separator: " ")[4]) } ?? "/sys/fs/cgroup"
        hostCgroup = FileSystem.normalize(mount + "/" + (cgroupLine.map { String($0.dropFirst(3)) } ?? ""))
        try FileSystem.createDirectory(scratch + "/bin")
        try FileSystem.createDirectory(scratch + "/lib/sluice/plugins")
        try Self.copy(BuildProducts.sluice, to: scratch + "/bin/sluice", mode: 0o755)
        for plugin in ["validate", "features", "train", "evaluate"] {
            try Self.copy(BuildProducts.plugin("sluice-\(plugin)"), to: scratch + "/lib/sluice/plugins/\(plugin).so", mode: 0o755)
        }
        var root = #filePath
        for _ in 0..<3 { root = FileSystem.directory(of: root) }
        try FileSystem.writeAtomically("""
            state_dir: /var/lib/sluice
            plugin_path: [\(Self.inside)/lib/sluice/plugins]
            pipelines:
              churn:
                target: churned
                stages:
                  - plugin: validate
                  - plugin: features
                  - plugin: train
                  - plugin: evaluate
                promotion:
                  min: {auc: 0.6}
            """, to: scratch + "/sluice.yaml")
        // The shipped unit, with this install's paths and DefaultDependencies=no.
        let unit = try FileSystem.readText(root + "/systemd/sluice.service")
            .split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                if line.hasPrefix("ExecStart=") { return "ExecStart=\(Self.inside)/bin/sluice serve --config \(Self.inside)/sluice.yaml" }
                if line == "[Unit]" { return "[Unit]\nDefaultDependencies=no" }
                return String(line)
            }.joined(separator: "\n")
        try FileSystem.writeAtomically(unit, to: scratch + "/sluice.service")
        try FileSystem.writeAtomically(try FileSystem.readText("/etc/passwd") + "sluice:x:989:989:sluice:/var/lib/sluice:/usr/sbin/nologin\n",
                                       to: scratch + "/passwd")
        try FileSystem.writeAtomically(try FileSystem.readText("/etc/group") + "sluice:x:989:\n", to: scratch + "/group")
        try FileSystem.writeAtomically("""
            #!/bin/sh
            set -e
            mount -t tmpfs tmpfs /run
            mkdir -p /run/systemd/system \(Self.inside)
            mount --bind \(scratch) \(Self.inside)
            mount -t cgroup2 none /sys/fs/cgroup
            mount -t tmpfs tmpfs /var/lib
            mount --bind \(scratch)/passwd /etc/passwd
            mount --bind \(scratch)/group /etc/group
            cp \(scratch)/sluice.service /run/systemd/system/sluice.service
            # No journald in the sandbox: the test reads the service's output from a file.
            mkdir -p /run/systemd/system/sluice.service.d
            printf '[Service]\nStandardOutput=append:\(Self.inside)/service.log\nStandardError=inherit\n' > /run/systemd/system/sluice.service.d/log.conf
            printf '[Unit]\\nDescription=sluice test target\\n' > /run/systemd/system/sluice-test.target
            exec \(Self.systemd) --system --unit=sluice-test.target --log-target=console
            """, to: scratch + "/boot.sh")
        chmod(scratch + "/boot.sh", 0o755)

        unshare.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        unshare.arguments = ["--fork", "--pid", "--mount", "--cgroup", "--mount-proc", "--propagation", "private",
                             scratch + "/boot.sh"]
        let log = scratch + "/systemd.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        unshare.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        unshare.standardError = unshare.standardOutput
        try unshare.run()
        guard eventually(timeout: 30, { self.findSystemd() }) else {
            tearDown()
            throw DaemonTestError("systemd did not start in the sandbox: \((try? FileSystem.readText(log)) ?? "")")
        }
        guard eventually(timeout: 60, {
            let state = (try? self.systemctl(["is-system-running"]).stdout) ?? ""
            return state.hasPrefix("running") || state.hasPrefix("degraded")
        }) else {
            tearDown()
            throw DaemonTestError("systemd in the sandbox never finished starting")
        }
    }

    private static func copy(_ from: String, to: String, mode: mode_t) throws {
        try FileSystem.writeAtomically(try FileSystem.read(from), to: to, mode: mode)
    }

    /// The sandbox's PID 1, seen from here: the child of `unshare`.
    private func findSystemd() -> Bool {
        let parent = unshare.processIdentifier
        for task in (try? FileSystem.list("/proc/\(parent)/task")) ?? [] {
            let children = (try? FileSystem.readText("/proc/\(parent)/task/\(task)/children")) ?? ""
            for child in children.split(separator: " ").compactMap({ Int32($0) }) {
                let comm = (try? FileSystem.readText("/proc/\(child)/comm")) ?? ""
                if comm.hasPrefix("systemd") { pid = child; return true }
            }
        }
        return false
    }

    func systemctl(_ arguments: [String]) throws -> CommandResult {
        try Command.run("/usr/bin/nsenter", ["-t", String(pid), "-m", "-p", "/bin/systemctl"] + arguments)
    }

    func property(_ name: String) -> String {
        let out = (try? systemctl(["show", "sluice.service", "-p", name, "--value"]).stdout) ?? ""
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What the service printed (stdout and stderr, with syslog priority prefixes).
    func journal() -> String { (try? FileSystem.readText(scratch + "/service.log")) ?? "" }

    /// `systemctl status` and the service's output, for failure messages.
    func diagnostics() -> String {
        let status = (try? systemctl(["status", "--no-pager", "sluice.service"]).output) ?? ""
        return status + "\n--- service output ---\n" + journal()
    }

    /// A path inside the sandbox's mount namespace, reachable from here.
    func hostPath(_ path: String) -> String { "/proc/\(pid)/root\(path)" }

    /// Kills the sandbox's PID 1 (the kernel then kills every process in it),
    /// removes the cgroups it made, and the scratch install.
    func tearDown() {
        // Killing the namespace's PID 1 makes the kernel kill everything in it;
        // unshare then reaps it and exits.
        if pid > 0 { kill(pid, SIGKILL) }
        if !eventually(timeout: 10, { !self.unshare.isRunning }) { kill(unshare.processIdentifier, SIGKILL) }
        unshare.waitUntilExit()
        // Children of our cgroup that the sandbox's systemd created, deepest first,
        // once the dying processes have left them.
        _ = eventually(timeout: 10) {
            for folder in self.childCgroups.sorted(by: { $0.split(separator: "/").count > $1.split(separator: "/").count }) {
                rmdir(self.hostCgroup + "/" + folder)
            }
            return self.childCgroups.isEmpty
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Cgroup folders under ours (the sandbox's systemd makes some).
    var childCgroups: [String] {
        (FileManager.default.enumerator(atPath: hostCgroup)?.compactMap { $0 as? String } ?? [])
            .filter { FileSystem.isDirectory(hostCgroup + "/" + $0) }
    }
}
