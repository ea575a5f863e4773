import FuzzSupport
import SluiceFormats

/// Every decoder of the files host and plugins share (model, transform,
/// manifest, schema, profile, gate, drift, findings) on any bytes.
enum FormatsHarness {
    static func run(_ bytes: [UInt8]) {
        _ = try? LinearModel.decode(bytes)
        _ = try? FeatureTransform.decode(bytes)
        _ = try? FormatCoding.decode(Manifest.self, from: bytes, file: "manifest.json")
        _ = try? FormatCoding.decode(DataSchema.self, from: bytes, file: "schema.json")
        _ = try? Profile.decode(bytes, file: "profile.json")
        _ = try? GateRecord.decode(bytes)
        _ = try? DriftReport.decode(bytes)
        _ = try? Finding.decodeList(bytes)
    }
}

#if FUZZING
@_cdecl("sluice_fuzz_formats_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv) { data, size in
        FormatsHarness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
#else
@main struct FormatsFuzzReplay { static func main() { FuzzReplay.main(FormatsHarness.run) } }
#endif
