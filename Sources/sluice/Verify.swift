import ArgumentParser
import Logging
import SluiceConfig
import SluiceEngine
import SluiceFormats
import SluiceLedger
import SluiceSystem

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that a model archive is exactly what sluice published.",
        discussion: """
        Checks every member against the SHA-256 its manifest.json lists (none changed, none \
        missing, none added); with --public-key (or a config whose signing_key signs), that \
        manifest.sig is a valid Ed25519 signature of the manifest; with --config, that the \
        ledger recorded this archive (its pipeline and version, or its run for a rejected \
        candidate) with the same SHA-256. Says exactly what does not match; exit status 1 then.

        With --reproduce (and --config), also re-runs the archive's recorded inputs in a scratch \
        state folder, touching nothing else: its drops from archive/ (found by hash), its own \
        config snapshot (config/sluice.yaml), the plugins found on the config's plugin path \
        (checked by .so hash), and the pinned schema and champion the run saw. It then reports \
        identical (same identity), or the first thing that differs and why — a plugin that is now \
        a different .so, a drop deleted by retention, or the first member whose bytes differ.

        Examples:
          sluice verify outbox/churn/churn-v3.tar.gz --public-key keys/sluice-signing.pub
          sluice verify outbox/churn/current.tar.gz --config sluice.yaml
          sluice verify outbox/churn/churn-v3.tar.gz --config sluice.yaml --reproduce
        """
    )

    @Argument(help: "The archive (a symlink such as current.tar.gz is followed).")
    var archive: String

    @Option(help: ArgumentHelp("Public key to check the signature with (from `sluice keygen`).", valueName: "file"))
    var publicKey: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Also check the archive against this config's ledger.",
                                                    valueName: "file"))
    var config: String?

    @Flag(help: "Re-run the archive's inputs in a scratch folder and compare (needs --config).")
    var reproduce = false

    func validate() throws {
        if reproduce && config == nil { throw ValidationError("--reproduce needs --config (the ledger and archive/ to take the drops from)") }
    }

    func run() throws {
        let path = FileSystem.realPath(archive) ?? archive
        let configuration = try config.map { file in
            do { return try ConfigLoader.load(file) } catch { throw Failure("\(error)") }
        }
        let key = try publicKeyToUse(configuration)
        var report = ArchiveVerifier.verify(archive: path, expectedSHA256: nil, publicKey: key)
        var lines: [String] = []
        if let manifest = report.manifest {
            lines.append("\(report.members - 1 - (report.signed ? 1 : 0)) members match manifest.json "
                         + "(\(manifest.pipeline) \(manifest.version > 0 ? "v\(manifest.version)" : "rejected candidate"), run \(manifest.run.key))")
        }
        switch (report.signatureValid, key) {
        case (true?, let key?): lines.append("signature: valid (\(key.name))")
        case (false?, _): lines.append("signature: does not verify")
        default: lines.append(report.signed ? "signature: present, not checked (no --public-key)" : "signature: none")
        }
        if let configuration, let manifest = report.manifest {
            let (line, problems) = try ledgerCheck(path, manifest: manifest, configuration: configuration)
            lines.append(line)
            report.problems += problems
        } else {
            lines.append("ledger: not checked (no --config)")
        }
        if reproduce, report.problems.isEmpty, let configuration {
            let ledger = try SQLLedger.open(configuration.ledgerLocation)
            do {
                let result = try Reproduction(configuration: configuration, ledger: ledger, logger: Logger(label: "sluice"))
                    .run(archive: path)
                lines += result.lines.map { "reproduce: \($0)" }
                if !result.identical { report.problems += result.lines.map { "reproduce: \($0)" } }
            } catch let refused as Reproduction.Refused {
                report.problems.append("reproduce: cannot re-run: \(refused)")
            }
        }
        if report.problems.isEmpty {
            FileSystem.writeStandardOutput("\(archive): verified\n" + lines.map { "  \($0)\n" }.joined())
        } else {
            FileSystem.writeStandardOutput("\(archive): DOES NOT VERIFY\n" + report.problems.map { "  \($0)\n" }.joined())
            throw ExitCode.failure
        }
    }

    private func publicKeyToUse(_ configuration: SluiceConfiguration?) throws -> ArchiveVerifier.PublicKey? {
        if let publicKey {
            do { return .init(text: try FileSystem.readText(publicKey), name: publicKey) } catch {
                throw Failure("public key \(publicKey) cannot be read: \(error)")
            }
        }
        guard let keyFile = configuration?.signingKey else { return nil }
        return .init(text: try ManifestSigner(keyFile: keyFile).publicKeyText, name: "the public half of \(keyFile)")
    }

    private func ledgerCheck(_ path: String, manifest: Manifest, configuration: SluiceConfiguration) throws
        -> (String, [String]) {
        guard (configuration.sharedLedger || FileSystem.exists(configuration.ledgerPath)) else {
            return ("ledger: none", ["no ledger at \(configuration.ledgerPath), so this archive cannot be checked against it"])
        }
        let ledger = try SQLLedger.open(configuration.ledgerLocation)
        let model = manifest.version > 0
            ? try ledger.model(pipeline: manifest.pipeline, version: manifest.version)
            : try ledger.run(key: manifest.run.key).flatMap { try ledger.model(runId: $0.id) }
        let what = manifest.version > 0 ? "\(manifest.pipeline) v\(manifest.version)" : "run \(manifest.run.key)'s candidate"
        guard let model, let recorded = model.archiveSha256 else {
            return ("ledger: no record", ["the ledger has no published archive for \(what)"])
        }
        let actual = try ContentHash.sha256(file: path)
        guard actual == recorded else {
            return ("ledger: differs", ["\(path): sha256 \(actual), but the ledger recorded \(recorded) for \(what)"])
        }
        return ("ledger: \(what) recorded with this sha256 (\(model.publication ?? model.decision.rawValue))", [])
    }
}
