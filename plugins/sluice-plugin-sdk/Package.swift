// swift-tools-version: 6.0
// The sluice plugin SDK as a package of its own: what a Swift stage plugin
// builds against outside the sluice tree. `make install` copies this folder
// (symlinks resolved) to $(PREFIX)/share/sluice/sluice-plugin-sdk; `sluice plugins new
// NAME --lang swift` makes a package that depends on it by path.
import PackageDescription

let package = Package(
    name: "sluice-plugin-sdk",
    products: [
        .library(name: "SluicePluginSDK", targets: ["SluicePluginSDK"]),
    ],
    targets: [
        // The plugin ABI: one C header (sluice_plugin.h).
        .target(name: "CSluicePlugin", path: "Sources/CSluicePlugin"),
        // One type per stage: `Stage`, `AppliedStage`, `StageContext`, `PluginExport`.
        .target(name: "SluicePluginSDK", dependencies: ["CSluicePlugin"], path: "Sources/SluicePluginSDK"),
    ],
    swiftLanguageModes: [.v6]
)
