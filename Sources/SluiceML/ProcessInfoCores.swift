#if canImport(Glibc)
import Glibc
#endif

/// Online cores, for the default thread count.
public enum ProcessInfoCores {
    public static let count = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
