import FuzzSupport
import SluiceArchive
import SluicePredict

/// The model-archive reader `sluice verify` and `sluice predict` use, and the
/// bundle it decodes (model, transform, manifest, schema), on any bytes.
enum ArchiveHarness {
    static func run(_ bytes: [UInt8]) {
        let path = FuzzScratch.write(bytes, name: "model.tar.gz")
        _ = try? ArchiveReader.members(of: path)
        _ = try? ModelBundle.load(path)
    }
}

#if FUZZING
@_cdecl("sluice_fuzz_archive_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv) { data, size in
        ArchiveHarness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
#else
@main struct ArchiveFuzzReplay { static func main() { FuzzReplay.main(ArchiveHarness.run) } }
#endif
