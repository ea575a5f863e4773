// sluice-bench-ingest: parses a file the way a drop is read (streaming,
// SHA-256 in the same read, parallel parse into the columnar table) and prints
// one JSON line: seconds, MB/s, rows, peak RSS. Driven by
// Benchmarks/ingest_vs_peers.py, which runs the peers on the same file.
//
//   sluice-bench-ingest FILE [--threads N]
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SluiceData
import SluiceSystem

var arguments = Array(CommandLine.arguments.dropFirst())
var threads: Int? = nil
var chunk = 4 << 20
if let flag = arguments.firstIndex(of: "--chunk-mb"), flag + 1 < arguments.count {
    chunk = Int(arguments[flag + 1])! << 20
    arguments.removeSubrange(flag...flag + 1)
}
if let flag = arguments.firstIndex(of: "--threads"), flag + 1 < arguments.count {
    threads = Int(arguments[flag + 1])
    arguments.removeSubrange(flag...flag + 1)
}
guard let path = arguments.first else {
    FileHandleShim.error("usage: sluice-bench-ingest FILE [--threads N]\n")
    exit(2)
}

// As a run's ingest does (see MemoryReuse).
MemoryReuse.keepFreedMemory()
do {
    let result = try DropReader.read(path, options: CSVOptions(threads: threads, chunkBytes: chunk))
    // VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the parent.
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let hwmKB = status.split(separator: "\n").first { $0.hasPrefix("VmHWM") }?
        .split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
    let stats = result.statistics
    let numeric = result.table.columns.filter { $0.values.typeName == "numeric" }.count
    print("{\"seconds\": \(stats.seconds), \"mb_per_s\": \(stats.megabytesPerSecond), "
        + "\"text_bytes\": \(stats.textBytes), \"raw_bytes\": \(stats.rawBytes), \"rows\": \(result.table.rowCount), "
        + "\"columns\": \(result.table.columns.count), \"numeric_columns\": \(numeric), \"threads\": \(stats.threads), "
        + "\"rereads\": \(stats.rereads), \"peak_rss_mb\": \(hwmKB / 1024), \"sha256\": \"\(result.sha256)\"}")
} catch {
    FileHandleShim.error("sluice-bench-ingest: \(error)\n")
    exit(1)
}

enum FileHandleShim {
    static func error(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(2, &bytes, bytes.count)
    }
}
