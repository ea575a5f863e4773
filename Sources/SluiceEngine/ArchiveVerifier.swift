import SluiceArchive
import SluiceFormats
import SluiceSystem

/// Checks a model archive before anything relies on it: it is there, its
/// bytes hash to what the ledger recorded when it was published, it has a
/// readable `manifest.json`, every member hashes to the manifest's entry
/// (none missing, none added), and — given a public key — `manifest.sig` is
/// a valid Ed25519 signature of the manifest.
public enum ArchiveVerifier {
    /// A public key to check the signature with: a key file's text and its name for messages.
    public struct PublicKey: Sendable {
        public let text: String
        public let name: String
        public init(text: String, name: String) {
            self.text = text
            self.name = name
        }
    }

    /// What verifying found.
    public struct Report: Sendable {
        /// What does not match, one line each; empty when the archive is intact.
        public var problems: [String] = []
        public var members = 0
        public var signed = false
        /// Whether the signature is valid; nil when no public key was given.
        public var signatureValid: Bool?
        public var manifest: Manifest?
    }

    /// What does not match, one line each; empty when the archive is intact.
    public static func problems(archive path: String, expectedSHA256: String?, publicKey: PublicKey? = nil) -> [String] {
        verify(archive: path, expectedSHA256: expectedSHA256, publicKey: publicKey).problems
    }

    public static func verify(archive path: String, expectedSHA256: String?, publicKey: PublicKey? = nil) -> Report {
        var report = Report()
        guard FileSystem.isRegularFile(path) else { return Report(problems: ["\(path): no such archive"]) }
        if let expectedSHA256 {
            do {
                let actual = try ContentHash.sha256(file: path)
                if actual != expectedSHA256 {
                    report.problems.append("\(path): sha256 \(actual) differs from the ledger's \(expectedSHA256) (changed after publishing)")
                }
            } catch {
                return Report(problems: ["\(path): cannot be read: \(error)"])
            }
        }
        let members: [ArchiveMember]
        do { members = try ArchiveReader.members(of: path) } catch {
            report.problems.append("\(path): not a readable archive: \(error)")
            return report
        }
        report.members = members.count
        guard let manifestBytes = members.first(where: { $0.name == "manifest.json" })?.bytes else {
            report.problems.append("\(path): no manifest.json")
            return report
        }
        do { report.manifest = try FormatCoding.decode(Manifest.self, from: manifestBytes, file: "manifest.json") } catch {
            report.problems.append("\(path): manifest.json: \(error)")
            return report
        }
        report.problems += memberProblems(path, members, manifest: report.manifest!)
        let signature = members.first { $0.name == "manifest.sig" }?.bytes
        report.signed = signature != nil
        if let publicKey {
            let problems = signatureProblems(path, signature: signature, manifest: manifestBytes, key: publicKey)
            report.signatureValid = problems.isEmpty
            report.problems += problems
        }
        return report
    }

    static func memberProblems(_ path: String, _ members: [ArchiveMember], manifest: Manifest) -> [String] {
        var problems: [String] = []
        var listed = manifest.files
        for member in members where member.name != "manifest.json" && member.name != "manifest.sig" {
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

    static func signatureProblems(_ path: String, signature: [UInt8]?, manifest: [UInt8], key: PublicKey) -> [String] {
        guard let signature else { return ["\(path): not signed (no manifest.sig), but a public key was given"] }
        do {
            if try !ManifestSigner.verify(signature: signature, of: manifest, publicKeyText: key.text, file: key.name) {
                return ["\(path): manifest.sig is not a valid signature of manifest.json by the key in \(key.name)"]
            }
            return []
        } catch {
            return ["\(path): \(error)"]
        }
    }
}
