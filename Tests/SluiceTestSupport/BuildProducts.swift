import Foundation
import SluiceSystem

/// Locates what `swift build --build-tests` built next to the test binary:
/// the `sluice` executable and the plugin shared objects.
public enum BuildProducts {
    /// The build folder (e.g. `.build/x86_64-unknown-linux-gnu/debug`).
    public static let directory: String = {
        let exe = FileSystem.symlinkTarget("/proc/self/exe") ?? CommandLine.arguments[0]
        var folder = FileSystem.directory(of: exe)
        // The test binary may sit inside a bundle folder.
        while !folder.isEmpty, folder != "/", !FileSystem.exists(folder + "/sluice") {
            folder = FileSystem.directory(of: folder)
        }
        return folder
    }()

    /// Path of the `sluice` executable.
    public static var sluice: String { directory + "/sluice" }

    /// Path of a plugin product, e.g. `plugin("sluice-validate")` → `…/libsluice-validate.so`.
    public static func plugin(_ product: String) -> String { "\(directory)/lib\(product).so" }
}
