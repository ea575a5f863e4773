/// The version of sluice recorded in manifests and shown by `--version`.
public enum SluiceVersion {
    public static let current = "0.2.0"
}
