import Foundation
import SluiceSystem
import SluiceTestSupport
import Testing

/// The one safe write: all or nothing, never a temp file left, and a
/// published file is never replaced when asked not to be.
@Suite struct SafeWriteTests {
    @Test func aNoReplaceWriteNeverTouchesAnExistingFile() throws {
        let folder = TemporaryDirectory()
        let path = folder.path + "/churn-v1.tar.gz"
        try FileSystem.writeAtomically(Array("first".utf8), to: path)
        #expect(throws: SystemError.self) {
            try FileSystem.writeAtomically(to: path, replacing: false) { fd, temporary in
                try FileSystem.writeAll(fd: fd, bytes: Array("second".utf8), path: temporary)
            }
        }
        #expect(try FileSystem.readText(path) == "first")
        #expect(try FileSystem.list(folder.path) == ["churn-v1.tar.gz"])
    }

    @Test func aFailedMoveLeavesNoTemporaryFile() throws {
        let folder = TemporaryDirectory()
        try FileSystem.createDirectory(folder.path + "/taken")
        // rename(2) of a file over a folder fails after the file was written, fsync'd and closed.
        #expect(throws: SystemError.self) { try FileSystem.writeAtomically(Array("x".utf8), to: folder.path + "/taken") }
        #expect(try FileSystem.list(folder.path) == ["taken"])
    }
}
