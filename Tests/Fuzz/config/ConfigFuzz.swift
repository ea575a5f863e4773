import FuzzSupport
import SluiceConfig

/// The config decoder (YAML through Yams, then every key checked) on any text.
enum ConfigHarness {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? ConfigLoader.parse(text, file: FuzzScratch.folder + "/sluice.yaml")   // refusing is fine
    }
}

#if FUZZING
@_cdecl("sluice_fuzz_config_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv) { data, size in
        ConfigHarness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
#else
@main struct ConfigFuzzReplay { static func main() { FuzzReplay.main(ConfigHarness.run) } }
#endif
