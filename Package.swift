// swift-tools-version: 6.1
// sluice — a drop-folder MLOps daemon. See README.md and docs/.
import PackageDescription

/// Compiler flags for the SIMD training kernels (`SluiceKernels` only): the
/// x86-64-v3 level (spelled `haswell`, which Clang's importer also knows): AVX2 +
/// FMA on x86-64 (checked at run time by `CPUSupport`), optimized even in
/// debug builds so tests exercise the real code. `SLUICE_KERNELS=baseline`
/// builds them for any x86-64 CPU instead. See docs/kernels.md.
let kernelsV3: Bool = {
    #if arch(x86_64)
    return Context.environment["SLUICE_KERNELS"] != "baseline"
    #else
    return false
    #endif
}()
let kernelFlags: [SwiftSetting] = kernelsV3
    ? [.unsafeFlags(["-O", "-target-cpu", "haswell"]), .define("SLUICE_KERNELS_V3")]
    : [.unsafeFlags(["-O"])]

/// A stage plugin built as a shared object (`lib<name>.so`) loaded with dlopen.
func stagePlugin(_ product: String, target: String, path: String) -> (Product, Target) {
    (
        .library(name: product, type: .dynamic, targets: [target]),
        .target(
            name: target,
            dependencies: ["SluicePluginSDK", "SluiceFormats", "SluiceML", "SluiceKernels"],
            path: path
        )
    )
}

/// A C plugin built as a shared object; used for the C example and test fixtures.
func cPlugin(_ product: String, target: String, path: String) -> (Product, Target) {
    (
        .library(name: product, type: .dynamic, targets: [target]),
        .target(name: target, dependencies: ["CSluicePlugin"], path: path)
    )
}

let plugins = [
    stagePlugin("sluice-validate", target: "ValidatePlugin", path: "plugins/validate"),
    stagePlugin("sluice-features", target: "FeaturesPlugin", path: "plugins/features"),
    stagePlugin("sluice-train", target: "TrainPlugin", path: "plugins/train"),
    stagePlugin("sluice-evaluate", target: "EvaluatePlugin", path: "plugins/evaluate"),
    cPlugin("sluice-row-audit", target: "RowAuditPlugin", path: "plugins/examples/row-audit-c"),
    cPlugin("sluice-drop-duplicates", target: "DropDuplicatesPlugin", path: "plugins/examples/drop-duplicates-c"),
    (.library(name: "sluice-clip-outliers", type: .dynamic, targets: ["ClipOutliersPlugin"]),
     .target(name: "ClipOutliersPlugin", dependencies: ["SluicePluginSDK"], path: "plugins/examples/clip-outliers")),
    cPlugin("sluice-fixture-no-symbol", target: "FixtureNoSymbol", path: "Tests/PluginFixtures/no-symbol"),
    cPlugin("sluice-fixture-wrong-abi", target: "FixtureWrongABI", path: "Tests/PluginFixtures/wrong-abi"),
    cPlugin("sluice-fixture-short-descriptor", target: "FixtureShortDescriptor", path: "Tests/PluginFixtures/short-descriptor"),
    cPlugin("sluice-fixture-misbehave", target: "FixtureMisbehave", path: "Tests/PluginFixtures/misbehave"),
    cPlugin("sluice-fixture-v1-original", target: "FixtureV1Original", path: "Tests/PluginFixtures/v1-original"),
]

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .library(name: "SluicePluginSDK", targets: ["SluicePluginSDK"]),
    ] + plugins.map(\.0),
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C libraries, each behind one system-library target and one Swift module.
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // The plugin ABI: one header.
        .target(name: "CSluicePlugin", path: "Sources/CSluicePlugin"),

        // Every file format host and plugins both read or write, and the one
        // scoring function: Foundation only, linked by both sides.
        .target(name: "SluiceFormats"),

        // What Swift cannot import from glibc directly (mallopt).
        .target(name: "CSluiceLinux", path: "Sources/CSluiceLinux"),
        .target(name: "SluiceSystem", dependencies: [
            "CSluiceLinux",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The ingest hot path is optimized even in debug builds, so tests exercise the real code.
        .target(name: "SluiceData", dependencies: ["SluiceSystem", "CZlib", "CArchive", "CSluiceLinux"],
                swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "SluiceConfig", dependencies: [
            "SluiceSystem",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "SluiceLedger", dependencies: [
            "SluiceSystem", "SluiceFormats",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .target(name: "SluiceArchive", dependencies: ["SluiceSystem", "SluiceData", "CArchive"]),
        .target(name: "SluicePluginHost", dependencies: ["SluiceSystem", "SluiceData", "CSluicePlugin"]),
        .target(name: "SluiceReport", dependencies: ["SluiceLedger", "SluiceFormats"]),
        .target(name: "SluiceEngine", dependencies: [
            "SluiceSystem", "SluiceData", "SluiceConfig", "SluiceLedger", "SluiceArchive",
            "SluicePluginHost", "SluicePredict", "SluiceFormats",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SluiceDaemon", dependencies: [
            "SluiceEngine", "SluiceConfig", "SluiceLedger", "SluicePluginHost", "SluiceSystem",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .target(name: "SluicePredict", dependencies: ["SluiceArchive", "SluiceData", "SluiceSystem", "SluiceFormats",
                                                      "SluicePluginHost"]),
        .executableTarget(name: "sluice", dependencies: [
            "SluiceEngine", "SluiceDaemon", "SluiceReport", "SluicePredict", "SluiceFormats", "SluiceConfig", "SluiceLedger", "SluicePluginHost",
            "SluiceArchive", "SluiceData", "SluiceSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // What plugin authors use. The host links neither of these: see docs/plugins.md.
        .target(name: "SluicePluginSDK", dependencies: ["CSluicePlugin"]),
        .target(name: "SluiceKernels", dependencies: ["CSluiceLinux"], swiftSettings: kernelFlags),
        .target(name: "CSluiceCPU", path: "Sources/CSluiceCPU"),
        .target(name: "SluiceML", dependencies: ["SluiceKernels", "CSluiceCPU", "SluicePluginSDK", "SluiceFormats"],
                swiftSettings: kernelsV3 ? [.define("SLUICE_KERNELS_V3")] : []),

        // Benchmarks (run with `make bench`; release builds).
        .executableTarget(name: "sluice-bench-train", dependencies: ["SluiceML", "SluiceKernels"],
                          path: "Benchmarks/TrainBench"),
        .executableTarget(name: "sluice-bench-ingest", dependencies: ["SluiceData", "SluiceSystem"],
                          path: "Benchmarks/IngestBench"),
        .executableTarget(name: "sluice-bench-report", dependencies: ["SluiceLedger", "SluiceReport", "SluiceFormats", "SluiceSystem"],
                          path: "Benchmarks/ReportBench"),

        // Fuzz targets (Tests/Fuzz): `make fuzz` builds them with -DFUZZING and
        // -sanitize=fuzzer,address for libFuzzer; a normal build makes each a
        // replayer of saved inputs (Tests/Fuzz/regressions), run by the tests.
        .target(name: "FuzzSupport", path: "Tests/Fuzz/Support"),
        .executableTarget(name: "sluice-fuzz-drop", dependencies: ["FuzzSupport", "SluiceData"], path: "Tests/Fuzz/drop"),
        .executableTarget(name: "sluice-fuzz-config", dependencies: ["FuzzSupport", "SluiceConfig"], path: "Tests/Fuzz/config"),
        .executableTarget(name: "sluice-fuzz-archive", dependencies: ["FuzzSupport", "SluiceArchive", "SluicePredict"],
                          path: "Tests/Fuzz/archive"),
        .executableTarget(name: "sluice-fuzz-formats", dependencies: ["FuzzSupport", "SluiceFormats"], path: "Tests/Fuzz/formats"),

        // Tests.
        .target(name: "SluiceTestSupport", dependencies: [
            "SluiceSystem", "SluiceLedger", .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Tests/SluiceTestSupport"),
        .testTarget(name: "SluiceDataTests", dependencies: ["SluiceData", "SluiceTestSupport"]),
        .testTarget(name: "SluiceFormatsTests", dependencies: ["SluiceFormats"]),
        .testTarget(name: "SluiceLedgerTests", dependencies: ["SluiceLedger", "SluiceTestSupport"]),
        .testTarget(name: "SluiceConfigTests", dependencies: ["SluiceConfig", "SluiceTestSupport"]),
        .testTarget(name: "SluiceMLTests", dependencies: ["SluiceML", "SluiceFormats", "SluiceKernels", "SluiceTestSupport"]),
        .testTarget(name: "SluicePluginHostTests", dependencies: [
            "SluicePluginHost", "SluiceData", "SluiceTestSupport",
        ]),
        .testTarget(name: "SluiceDaemonTests", dependencies: [
            "SluiceSystem", "SluiceArchive", "SluiceLedger", "SluiceTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["Golden"]),
        .testTarget(name: "SluiceEngineTests", dependencies: [
            "SluiceEngine", "SluiceConfig", "SluicePluginHost", "SluiceLedger", "SluiceArchive", "SluiceData", "SluiceFormats", "SluicePredict",
            "SluiceTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ] + plugins.map(\.1),
    swiftLanguageModes: [.v6]
)
