import Foundation
import SluiceSystem

/// A real `sluice serve` daemon in a child process, for tests: started with
/// a config, signalled with real signals, its stderr kept in a file.
public final class DaemonProcess: @unchecked Sendable {
    public let process = Process()
    public let logPath: String

    public init(config: String, logPath: String, environment: [String: String] = [:]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: BuildProducts.sluice)
        process.arguments = ["serve", "--config", config, "--log-level", "debug"]
        var env = ProcessInfo.processInfo.environment
        for key in ["JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { env.removeValue(forKey: key) }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// What the daemon logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the daemon to exit; returns its status, or nil on timeout.
    public func wait(timeout: Double = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM and wait; SIGKILL if it does not stop.
    public func stop() -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        signal(SIGTERM)
        if let status = wait(timeout: 40) { return status }
        signal(SIGKILL)
        return wait(timeout: 10)
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() }
    }
}

/// Polls `condition` every 25 ms until it holds or `timeout` passes. A
/// deadline against hanging, not a speed assertion.
public func eventually(timeout: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(25_000)
    }
    return try condition()
}
