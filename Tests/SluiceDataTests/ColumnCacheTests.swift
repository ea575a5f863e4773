import Foundation
import SluiceData
import SluiceSystem
import SluiceTestSupport
import Testing

/// The column cache of an archived drop holds exactly the table a parse of
/// its CSV gives, and a cache that is damaged, stale or foreign is refused
/// with its reason, never trusted.
@Suite struct ColumnCacheTests {
    let directory = TemporaryDirectory("sluice-columns")

    /// A seeded CSV with numbers, categories, gaps, odd floats and a quoted field.
    func csv(rows: Int, seed: UInt64) -> String {
        var random = TestRandom(seed: seed)
        var text = "id,x,y,plan,note,label\n"
        for row in 0..<rows {
            let x = random.uniform() < 0.1 ? "" : String(random.uniform() * 1e6 - 5e5)
            let y = ["1e-30", "-0", "3.4028235e38", "0.1", "NA", String(row)][Int(random.next() % 6)]
            let plan = ["basic", "pro", "", "team \"x\""][Int(random.next() % 4)]
            let note = random.uniform() < 0.5 ? "\"a, b\"" : "c"
            text += "\(row),\(x),\(y),\(plan.contains("\"") ? "\"team \"\"x\"\"\"" : plan),\(note),\(row % 3 == 0 ? "yes" : "no")\n"
        }
        return text
    }

    func parsed(_ name: String, rows: Int = 5000, seed: UInt64 = 7) throws -> (path: String, result: DropReader.Result) {
        let path = try directory.write(name, csv(rows: rows, seed: seed))
        return (path, try DropReader.read(path))
    }

    func expectSameBits(_ a: Table, _ b: Table) {
        #expect(a.rowCount == b.rowCount)
        #expect(a.rowLines == b.rowLines)
        #expect(a.columns.map(\.name) == b.columns.map(\.name))
        for (x, y) in zip(a.columns, b.columns) {
            switch (x.values, y.values) {
            case (.numeric(let p), .numeric(let q)):
                #expect(p.values.map(\.bitPattern) == q.values.map(\.bitPattern), "\(x.name)")
            case (.categorical(let p), .categorical(let q)):
                #expect(Array(p.codes) == Array(q.codes), "\(x.name)")
                #expect(p.dictionary == q.dictionary, "\(x.name)")
            default:
                Issue.record("\(x.name): \(x.values.typeName) against \(y.values.typeName)")
            }
        }
    }

    @Test func theCacheHoldsTheParsedTableBitForBit() throws {
        let (path, drop) = try parsed("a.csv")
        let cache = ColumnCache.path(forArchived: path, sha256: drop.sha256)
        try ColumnCache.write(drop.table, sha256: drop.sha256, options: CSVOptions(), to: cache)
        let loaded = try ColumnCache.load(cache, sha256: drop.sha256, options: CSVOptions())
        expectSameBits(loaded, drop.table)
        #expect(loaded.columns.contains { if case .categorical = $0.values { true } else { false } })
        #expect(loaded.columns.contains { $0.values.missingCount > 0 })
        // And so does a cache of an empty table.
        let (emptyPath, empty) = try parsed("empty.csv", rows: 0)
        let emptyCache = ColumnCache.path(forArchived: emptyPath, sha256: empty.sha256)
        try ColumnCache.write(empty.table, sha256: empty.sha256, options: CSVOptions(), to: emptyCache)
        expectSameBits(try ColumnCache.load(emptyCache, sha256: empty.sha256, options: CSVOptions()), empty.table)
    }

    @Test func aDamagedStaleOrForeignCacheIsRefusedWithItsReason() throws {
        let (path, drop) = try parsed("b.csv", rows: 2000, seed: 9)
        let cache = ColumnCache.path(forArchived: path, sha256: drop.sha256)
        try ColumnCache.write(drop.table, sha256: drop.sha256, options: CSVOptions(), to: cache)
        let good = try FileSystem.read(cache)
        func refused(_ bytes: [UInt8], sha256: String? = nil, options: CSVOptions = CSVOptions(), _ reason: String) throws {
            try FileSystem.writeAtomically(bytes, to: cache)
            let error = #expect(throws: ColumnCacheError.self) {
                try ColumnCache.load(cache, sha256: sha256 ?? drop.sha256, options: options)
            }
            #expect(error?.reason.contains(reason) == true, "\(error.map(String.init(describing:)) ?? "none") — expected '\(reason)'")
        }
        var flipped = good
        flipped[good.count / 2] ^= 0x10
        try refused(flipped, "checksum")
        try refused(Array(good.prefix(good.count - 100)), "cut short")
        try refused(good + [0, 0, 0, 0], "cut short")
        try refused(Array(good.prefix(10)), "too short")
        var otherVersion = good
        otherVersion[8] = 9
        try refused(otherVersion, "version 9")
        var notOurs = good
        notOurs[0] = UInt8(ascii: "X")
        try refused(notOurs, "not a sluice column cache")
        try refused(good, sha256: String(repeating: "0", count: 64), "is of content")
        try refused(good, options: CSVOptions(missingTokens: ["?"]), "other options")
        // The good bytes still load.
        try FileSystem.writeAtomically(good, to: cache)
        expectSameBits(try ColumnCache.load(cache, sha256: drop.sha256, options: CSVOptions()), drop.table)
    }

    @Test func anArchivedFileNamedByItsHashFindsItsCache() throws {
        let sha = String(repeating: "ab", count: 32)
        #expect(ColumnCache.path(forArchived: "/s/archive/p/\(sha).csv.gz") == "/s/archive/p/.columns/\(sha).sluicecol")
        #expect(ColumnCache.path(forArchived: "/s/archive/p/notahash.csv") == nil)
    }
}
