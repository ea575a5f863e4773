import SluicePluginHost
import SluiceSystem
import SluiceTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The loader refuses code someone other than root or sluice's own user could
/// have planted, naming the file or folder, its owner and its mode. Real
/// shared objects (the row-audit example, copied), real modes and owners.
@Suite struct PluginTrustTests {
    /// A copy of the row-audit plugin at `folder/name`, folders made 0755.
    func plant(in folder: String, name: String = "audit.so") throws -> String {
        try FileSystem.createDirectory(folder)
        let path = folder + "/" + name
        try FileSystem.writeAtomically(try FileSystem.read(BuildProducts.plugin("sluice-row-audit")), to: path, mode: 0o755)
        return path
    }

    func refusal(_ path: String, trust: PluginTrust = PluginTrust()) -> String? {
        do {
            _ = try trust.check(path)
            return nil
        } catch let error as PluginLoadError {
            guard case .untrusted = error else { return "unexpected: \(error)" }
            return error.description
        } catch {
            return "unexpected: \(error)"
        }
    }

    @Test func aWorldWritableFileIsRefusedWithItsOwnerAndMode() throws {
        let directory = TemporaryDirectory()
        let path = try plant(in: directory.url("plugins"))
        #expect(refusal(path) == nil)
        chmod(path, 0o777)
        let message = try #require(refusal(path))
        #expect(message.contains("file \(path) is world-writable"), "\(message)")
        #expect(message.contains("mode 0777"), "\(message)")
        #expect(message.contains("owner \(getuid() == 0 ? "root" : "")"), "\(message)")
        // The loader itself runs the same check before dlopen.
        let error = #expect(throws: PluginLoadError.self) { try PluginLoader().load(path: path) }
        #expect(error?.description.contains("refused") == true)
        chmod(path, 0o664)
        #expect(refusal(path)?.contains("is group-writable") == true)
    }

    @Test func aWritableFolderAnywhereAboveThePluginIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = try plant(in: directory.url("shared/plugins"))
        chmod(directory.url("shared"), 0o775)
        let message = try #require(refusal(path))
        #expect(message.contains("folder \(directory.url("shared")) is group-writable"), "\(message)")
        #expect(message.contains("mode 0775"), "\(message)")
        chmod(directory.url("shared"), 0o777)
        #expect(refusal(path)?.contains("folder \(directory.url("shared")) is world-writable") == true)
        chmod(directory.url("shared"), 0o755)
        #expect(refusal(path) == nil)
    }

    @Test(.enabled(if: getuid() == 0, "needs root: only a root-owned sticky folder is trusted"))
    func aRootOwnedStickyFolderIsAcceptedAnotherUsersIsNot() throws {
        let directory = TemporaryDirectory()
        let path = try plant(in: directory.url("tmp-like/plugins"))
        chmod(directory.url("tmp-like"), 0o1777)
        #expect(refusal(path) == nil)
        chown(directory.url("tmp-like"), 4242, 4242)
        let message = try #require(refusal(path))
        #expect(message.contains("folder \(directory.url("tmp-like")) is owned by another user (owner uid 4242, mode 1777)"),
                "\(message)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root: chown to another user"))
    func aFileOrFolderOwnedBySomeoneElseIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = try plant(in: directory.url("plugins"))
        chown(path, 4242, 4242)
        let message = try #require(refusal(path))
        #expect(message.contains("file \(path) is owned by another user (owner uid 4242, mode 0755)"), "\(message)")
        #expect(message.contains("must belong to root or root (uid 0)"), "\(message)")
        chown(path, 0, 0)
        chown(directory.url("plugins"), 4242, 4242)
        #expect(refusal(path)?.contains("folder \(directory.url("plugins")) is owned by another user") == true)
    }

    @Test func aSymlinkLeadingOutsideTheSearchPathIsRefused() throws {
        let directory = TemporaryDirectory()
        let outside = try plant(in: directory.url("elsewhere"))
        let inside = try plant(in: directory.url("plugins"), name: "real.so")
        let trust = PluginTrust(searchPath: [directory.url("plugins")])
        #expect(symlink(outside, directory.url("plugins/evil.so")) == 0)
        #expect(symlink(inside, directory.url("plugins/alias.so")) == 0)
        let message = try #require(refusal(directory.url("plugins/evil.so"), trust: trust))
        #expect(message.contains("(a symlink to \(outside)) is outside the plugin search path"), "\(message)")
        #expect(refusal(directory.url("plugins/alias.so"), trust: trust) == nil)
        #expect(refusal(outside, trust: trust)?.contains("is outside the plugin search path") == true)
    }

    @Test func sluicePluginPathCountsOnlyOutsideAService() throws {
        #expect(PluginLoader.isSystemService(cgroup: "0::/system.slice/sluice.service\n"))
        #expect(PluginLoader.isSystemService(cgroup: "1:name=systemd:/system.slice/sluice.service\n"))
        #expect(!PluginLoader.isSystemService(cgroup: "0::/user.slice/user-1000.slice/session-2.scope\n"))
        #expect(!PluginLoader.isSystemService(cgroup: "0::/\n"))
        // A folder that does not exist, in case a test running meanwhile inherits it.
        setenv("SLUICE_PLUGIN_PATH", "/nonexistent/sluice-env-plugins", 1)
        defer { unsetenv("SLUICE_PLUGIN_PATH") }
        #expect(PluginLoader.defaultSearchPath(environment: true).first == "/nonexistent/sluice-env-plugins")
        #expect(!PluginLoader.defaultSearchPath(environment: false).contains("/nonexistent/sluice-env-plugins"))
    }
}
