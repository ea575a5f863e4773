import Crypto
import Foundation

/// Ed25519 signatures over a model archive's `manifest.json` (which holds the
/// SHA-256 of every other member, so signing it signs them all). Keys are
/// text files: a first line naming the kind, then the 32 raw key bytes in
/// base64. `sluice keygen` makes a pair.
public struct ManifestSigner: Sendable {
    static let privateHeader = "sluice ed25519 private key"
    static let publicHeader = "sluice ed25519 public key"

    private let key: Curve25519.Signing.PrivateKey

    /// Reads a private key file.
    /// - Throws: ``SigningKeyError`` naming the file and what is wrong with it.
    public init(keyFile: String) throws {
        let raw = try Self.read(keyFile, header: Self.privateHeader)
        do { key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw) } catch {
            throw SigningKeyError(file: keyFile, reason: "not an Ed25519 private key: \(error)")
        }
    }

    private init(key: Curve25519.Signing.PrivateKey) { self.key = key }

    /// A new key pair as (private key file text, public key file text).
    public static func generate() -> (privateText: String, publicText: String) {
        let signer = ManifestSigner(key: Curve25519.Signing.PrivateKey())
        return ("\(privateHeader)\n\(signer.key.rawRepresentation.base64EncodedString())\n", signer.publicKeyText)
    }

    /// The public half, as a public key file's text.
    public var publicKeyText: String { "\(Self.publicHeader)\n\(key.publicKey.rawRepresentation.base64EncodedString())\n" }

    /// The signature of `bytes`, as the text of a `manifest.sig` member.
    public func sign(_ bytes: [UInt8]) throws -> [UInt8] {
        Array((try key.signature(for: bytes).base64EncodedString() + "\n").utf8)
    }

    /// Whether `signature` (a `manifest.sig` member's text) signs `bytes`
    /// with the key in `publicKeyText` (a public key file's text; `file` names it in errors).
    public static func verify(signature: [UInt8], of bytes: [UInt8], publicKeyText: String, file: String) throws -> Bool {
        let raw = try decode(publicKeyText, file: file, header: publicHeader)
        let key: Curve25519.Signing.PublicKey
        do { key = try Curve25519.Signing.PublicKey(rawRepresentation: raw) } catch {
            throw SigningKeyError(file: file, reason: "not an Ed25519 public key: \(error)")
        }
        let text = String(decoding: signature, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let signatureBytes = Data(base64Encoded: text) else { return false }
        return key.isValidSignature(signatureBytes, for: bytes)
    }

    static func read(_ file: String, header: String) throws -> Data {
        let text: String
        do { text = try FileSystem.readText(file) } catch {
            throw SigningKeyError(file: file, reason: "cannot be read: \(error)")
        }
        return try decode(text, file: file, header: header)
    }

    static func decode(_ text: String, file: String, header: String) throws -> Data {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == 2, lines[0] == header else {
            throw SigningKeyError(file: file, reason: "expected two lines, '\(header)' and the key in base64 (as `sluice keygen` writes)")
        }
        guard let raw = Data(base64Encoded: lines[1]), raw.count == 32 else {
            throw SigningKeyError(file: file, reason: "the key is not 32 bytes of base64")
        }
        return raw
    }
}
