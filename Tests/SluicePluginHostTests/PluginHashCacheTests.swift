import Foundation
import SluicePluginHost
import SluiceSystem
import SluiceTestSupport
import Testing

/// A plugin's SHA-256 comes from the cache only while the file is the one hashed.
@Suite struct PluginHashCacheTests {
    @Test func aRememberedHashIsUsedOnlyWhileTheFileIsUnchanged() throws {
        let directory = TemporaryDirectory()
        let plugin = directory.url("libsluice-fixture-misbehave.so")
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("sluice-fixture-misbehave"), toPath: plugin)
        let original = try ContentHash.sha256(file: plugin)
        let cache = PluginHashCache(stateDirectory: directory.url("state"), settledSeconds: 0)

        #expect(try cache.sha256(of: plugin) == original)
        let entries = try FileSystem.list(cache.folder)
        #expect(entries.count == 1)
        // The next load reads it: an entry edited to another hash (same identity) is what comes back.
        let entry = cache.folder + "/" + entries[0]
        let remembered = try FileSystem.readText(entry)
        try FileSystem.writeAtomically(remembered.replacingOccurrences(of: original, with: String(repeating: "a", count: 64)), to: entry)
        #expect(try cache.sha256(of: plugin) == String(repeating: "a", count: 64))

        // Other bytes under the same name (a rebuilt plugin): a new identity, hashed again, remembered anew.
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("sluice-row-audit"), toPath: plugin + ".new")
        try FileSystem.rename(plugin + ".new", to: plugin)
        let rebuilt = try ContentHash.sha256(file: plugin)
        #expect(rebuilt != original)
        #expect(try cache.sha256(of: plugin) == rebuilt)
        #expect(try FileSystem.readText(entry).hasSuffix("\t\(rebuilt)\n"))
    }

    @Test func aFreshFileIsNotRememberedAndAnUnwritableCacheOnlyCostsTheHashing() throws {
        let directory = TemporaryDirectory()
        let plugin = BuildProducts.plugin("sluice-row-audit")
        // Written just now (ctime within the settle time): hashed, not remembered.
        let fresh = directory.url("fresh.so")
        try FileManager.default.copyItem(atPath: plugin, toPath: fresh)
        let settling = PluginHashCache(stateDirectory: directory.url("state"), settledSeconds: 3600)
        #expect(try settling.sha256(of: fresh) == ContentHash.sha256(file: fresh))
        #expect(!FileSystem.exists(settling.folder))
        // A file where the cache folder would be: still the right hash.
        _ = try directory.write("blocked/cache", "not a folder")
        let blocked = PluginHashCache(stateDirectory: directory.url("blocked"), settledSeconds: 0)
        #expect(try blocked.sha256(of: plugin) == ContentHash.sha256(file: plugin))
    }
}
