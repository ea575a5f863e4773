import ArgumentParser
import SluiceSystem

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an Ed25519 key pair for signing model archives.",
        discussion: """
        Writes DIR/sluice-signing.key (the private key, mode 0600) and DIR/sluice-signing.pub \
        (the public key, to hand to whoever checks archives). Point `signing_key:` in sluice.yaml \
        at the private key and every archive from then on carries manifest.sig, the signature of \
        its manifest.json (which holds every other member's SHA-256). Check one with \
        `sluice verify ARCHIVE --public-key DIR/sluice-signing.pub`. Existing files are never replaced.
        """
    )

    @Option(help: ArgumentHelp("Folder to write the key pair in.", valueName: "dir"))
    var output: String

    func run() throws {
        try FileSystem.createDirectory(output)
        let (privateText, publicText) = ManifestSigner.generate()
        let privatePath = output + "/sluice-signing.key", publicPath = output + "/sluice-signing.pub"
        for path in [privatePath, publicPath] where FileSystem.exists(path) {
            throw Failure("\(path) already exists; keygen never replaces a key (remove it first if you mean to)")
        }
        try FileSystem.writeAtomically(to: privatePath, mode: 0o600, replacing: false) { fd, _ in
            try FileSystem.writeAll(fd: fd, bytes: Array(privateText.utf8), path: privatePath)
        }
        try FileSystem.writeAtomically(to: publicPath, mode: 0o644, replacing: false) { fd, _ in
            try FileSystem.writeAll(fd: fd, bytes: Array(publicText.utf8), path: publicPath)
        }
        FileSystem.writeStandardOutput("wrote \(privatePath) (private, keep it secret) and \(publicPath) (public)\n"
                                       + "sign archives with, in sluice.yaml:  signing_key: \(FileSystem.absolute(privatePath))\n")
    }
}
