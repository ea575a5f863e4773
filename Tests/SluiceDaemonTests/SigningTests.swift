import Foundation
import SluiceArchive
import SluiceSystem
import SluiceTestSupport
import Testing

/// Signed archives and `sluice verify`: every kind of tampering fails with its own message.
@Suite struct SigningTests {
    func verify(_ space: Workspace, _ archive: String, _ extra: [String]) throws -> CommandResult {
        try Command.sluice(["verify", archive] + extra, in: space.root)
    }

    /// A copy of `source` at `destination` with its members changed by `edit`.
    func repack(_ source: String, to destination: String, _ edit: (inout [ArchiveMember]) -> Void) throws {
        var members = try ArchiveReader.members(of: source)
        edit(&members)
        try ArchiveWriter.writeTarGz(members, to: destination, modificationTime: 1_700_000_000, replacing: true)
    }

    @Test func signedArchivesVerifyAndEveryTamperingIsNamed() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        let keygen = try Command.sluice(["keygen", "--output", space.root + "/keys"])
        #expect(keygen.status == 0, "\(keygen.output)")
        #expect(try FileSystem.readText(space.root + "/keys/sluice-signing.key").hasPrefix("sluice ed25519 private key\n"))
        #expect(try Command.sluice(["keygen", "--output", space.root + "/keys"]).stderr.contains("already exists"))
        try space.writeConfig(try FileSystem.readText(space.config) + "\nsigning_key: keys/sluice-signing.key\n")
        try space.drop("day.csv", ChurnData.csv(rows: 400, seed: 800))
        #expect(try space.serve().status == 0)
        let v1 = space.root + "/outbox/churn/churn-v1.tar.gz"
        let pub = space.root + "/keys/sluice-signing.pub"
        #expect(try ArchiveReader.members(of: v1).contains { $0.name == "manifest.sig" })

        let good = try verify(space, space.root + "/outbox/churn/current.tar.gz", ["--public-key", pub, "--config", space.config])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.stdout.contains("verified"))
        #expect(good.stdout.contains("signature: valid (\(pub))"))
        #expect(good.stdout.contains("ledger: churn v1 recorded with this sha256 (published)"))
        // The config's own key is used when no public key is given.
        #expect(try verify(space, v1, ["--config", space.config]).stdout.contains("signature: valid (the public half of"))

        func refused(_ name: String, _ message: String, _ edit: (inout [ArchiveMember]) -> Void) throws {
            let copy = space.root + "/tampered-\(name).tar.gz"
            try repack(v1, to: copy, edit)
            let result = try verify(space, copy, ["--public-key", pub])
            #expect(result.status == 1, "\(name)")
            #expect(result.stdout.contains("DOES NOT VERIFY"), "\(name)")
            #expect(result.stdout.contains(message), "\(name): \(result.stdout)")
        }
        try refused("byte", "member model.json has sha256 ") { members in
            let index = members.firstIndex { $0.name == "model.json" }!
            var bytes = members[index].bytes
            bytes[bytes.count / 2] ^= 1
            members[index] = ArchiveMember(name: "model.json", bytes: bytes)
        }
        try refused("removed", "member evaluation.json listed in the manifest is missing") {
            $0.removeAll { $0.name == "evaluation.json" }
        }
        try refused("added", "member extra.txt is not in the manifest (added after publishing)") {
            $0.append(ArchiveMember(name: "extra.txt", text: "hello"))
        }
        try refused("manifest", "manifest.sig is not a valid signature of manifest.json by the key in \(pub)") { members in
            let index = members.firstIndex { $0.name == "manifest.json" }!
            let text = String(decoding: members[index].bytes, as: UTF8.self)
                .replacingOccurrences(of: "\"decision\" : \"approved\"", with: "\"decision\" : \"approvedd\"")
            members[index] = ArchiveMember(name: "manifest.json", text: text)
        }
        try refused("unsigned", "not signed (no manifest.sig), but a public key was given") {
            $0.removeAll { $0.name == "manifest.sig" }
        }

        let other = try Command.sluice(["keygen", "--output", space.root + "/other"])
        #expect(other.status == 0)
        let wrongKey = try verify(space, v1, ["--public-key", space.root + "/other/sluice-signing.pub"])
        #expect(wrongKey.status == 1)
        #expect(wrongKey.stdout.contains("manifest.sig is not a valid signature of manifest.json by the key in"))

        // Same members, different bytes: intact by its manifest, but not what the ledger published.
        try repack(v1, to: space.root + "/repacked.tar.gz") { _ in }
        let repacked = try verify(space, space.root + "/repacked.tar.gz", ["--config", space.config])
        #expect(repacked.status == 1)
        #expect(repacked.stdout.contains("but the ledger recorded"), "\(repacked.stdout)")
    }

    @Test func aBrokenSigningKeyIsAConfigErrorWithItsLine() throws {
        let space = try Workspace(promotion: "min: {auc: 0.5}")
        try space.directory.write("keys/bad.key", "not a key\n")
        try space.writeConfig(try FileSystem.readText(space.config) + "\nsigning_key: keys/bad.key\n")
        let result = try Command.sluice(["check", "--config", space.config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("signing_key"), "\(result.stderr)")
        #expect(result.stderr.contains("expected two lines, 'sluice ed25519 private key' and the key in base64"), "\(result.stderr)")
    }
}
