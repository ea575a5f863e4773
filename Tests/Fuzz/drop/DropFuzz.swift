import FuzzSupport
import SluiceData

/// The one drop reader (CSV/TSV, plain or gzip, tar/zip drops) on any bytes:
/// it may refuse them, never crash. The input's first bytes pick the kind of
/// file it is handed as.
enum DropHarness {
    static func run(_ bytes: [UInt8]) {
        let name: String
        if bytes.starts(with: [0x1f, 0x8b]) { name = "drop.csv.gz" }
        else if bytes.starts(with: [0x50, 0x4b]) { name = "drop.zip" }
        else if bytes.count > 262, Array(bytes[257..<262]) == Array("ustar".utf8) { name = "drop.tar" }
        else if bytes.first == UInt8(ascii: "\t") { name = "drop.tsv" }
        else { name = "drop.csv" }
        let path = FuzzScratch.write(bytes, name: name)
        var options = CSVOptions()
        options.maxBytes = 1 << 24
        options.maxRows = 100_000
        _ = try? DropReader.read(path, options: options)   // refusing is fine; crashing is the bug
    }
}

#if FUZZING
@_cdecl("sluice_fuzz_drop_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv) { data, size in
        DropHarness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
#else
@main struct DropFuzzReplay { static func main() { FuzzReplay.main(DropHarness.run) } }
#endif
