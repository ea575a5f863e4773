import SluiceArchive
import SluiceFormats
import SluiceSystem

/// Checks a model archive before anything relies on it: it is there, its
/// bytes hash to what the ledger recorded when it was published, it has a
/// readable `manifest.json`, and every member hashes to the manifest's entry
/// (none missing, none added).
public enum ArchiveVerifier {
    /// What does not match, one line each; empty when the archive is intact.
    public static func problems(archive path: String, expectedSHA256: String?) -> [String] {
        guard FileSystem.isRegularFile(path) else { return ["\(path): no such archive"] }
        var problems: [String] = []
        if let expectedSHA256 {
            do {
                let actual = try ContentHash.sha256(file: path)
                if actual != expectedSHA256 {
                    problems.append("\(path): sha256 \(actual) differs from the ledger's \(expectedSHA256) (changed after publishing)")
                }
            } catch {
                return ["\(path): cannot be read: \(error)"]
            }
        }
        let members: [ArchiveMember]
        do { members = try ArchiveReader.members(of: path) } catch {
            return problems + ["\(path): not a readable archive: \(error)"]
        }
        guard let manifestBytes = members.first(where: { $0.name == "manifest.json" })?.bytes else {
            return problems + ["\(path): no manifest.json"]
        }
        let manifest: Manifest
        do { manifest = try FormatCoding.decode(Manifest.self, from: manifestBytes, file: "manifest.json") } catch {
            return problems + ["\(path): manifest.json: \(error)"]
        }
        var listed = manifest.files
        for member in members where member.name != "manifest.json" {
            guard let expected = listed.removeValue(forKey: member.name) else {
                problems.append("\(path): member \(member.name) is not in the manifest (added after publishing)")
                continue
            }
            let actual = ContentHash.sha256(member.bytes)
            if actual != expected {
                problems.append("\(path): member \(member.name) has sha256 \(actual), the manifest says \(expected)")
            }
        }
        for name in listed.keys.sorted() {
            problems.append("\(path): member \(name) listed in the manifest is missing")
        }
        return problems
    }
}
