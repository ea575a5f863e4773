import ArgumentParser
import Logging
import SluiceConfig
import SluiceEngine
import SluiceLedger
import SluiceSystem
#if canImport(Glibc)
import Glibc
#endif

/// Options every command that reads a configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp(
        "The sluice.yaml to use.", discussion: "Relative paths inside it resolve against its folder.",
        valueName: "file"))
    var config: String = "/etc/sluice/sluice.yaml"

    @Option(help: ArgumentHelp("Log level: error, warning, info or debug (or set SLUICE_LOG_LEVEL).",
                               valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if let logLevel, Self.level(logLevel) == nil {
            throw ValidationError("--log-level must be one of error, warning, info, debug; got '\(logLevel)'")
        }
    }

    static func level(_ text: String) -> Logger.Level? {
        switch text.lowercased() {
        case "error": .error
        case "warning", "warn": .warning
        case "info": .info
        case "debug": .debug
        case "trace": .trace
        default: nil
        }
    }

    /// Loads the configuration, turning errors into a clean exit with the message.
    func load() throws -> SluiceConfiguration {
        do {
            return try ConfigLoader.load(config)
        } catch {
            throw Failure("\(error)")
        }
    }

    /// Sets up logging to stderr once per process.
    func makeLogger() -> Logger {
        let envLevel = getenv("SLUICE_LOG_LEVEL").map { String(cString: $0) }
        let level = (logLevel ?? envLevel).flatMap(Self.level) ?? .info
        LoggingBootstrap.once(level: level)
        return Logger(label: "sluice")
    }
}

enum LoggingBootstrap {
    // Set once, from the command's own thread, before any other thread logs:
    // commands call makeLogger() first thing in run().
    nonisolated(unsafe) static var done = false

    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: level) }
    }
}

extension ConfigOptions {
    /// The configuration's ledger, which must exist already (`why` ends the message when it does not).
    func existingLedger(_ configuration: SluiceConfiguration, _ why: String) throws -> SQLLedger {
        guard (configuration.sharedLedger || FileSystem.exists(configuration.ledgerPath)) else {
            throw Failure("no ledger at \(configuration.ledgerPath) yet: \(why)")
        }
        return try SQLLedger.open(configuration.ledgerLocation)
    }
}
