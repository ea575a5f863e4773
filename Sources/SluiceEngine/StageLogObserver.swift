import Logging
import SluicePluginHost
import SluiceSystem

/// Passes what plugins log to the run's log; progress goes to debug, at most
/// twice a second per stage.
final class StageLogObserver: StageObserver {
    let logger: Logger
    let prefix: String
    let onProgress: ((String, Double, String) -> Void)?
    var stage = ""
    private var lastProgress = 0.0

    init(logger: Logger, prefix: String, onProgress: ((String, Double, String) -> Void)?) {
        self.logger = logger
        self.prefix = prefix
        self.onProgress = onProgress
    }

    func stageLogged(level: Int32, message: String) {
        let line = "\(prefix) \(stage): \(message)"
        switch level {
        case ...3: logger.error("\(line)")
        case 4: logger.warning("\(line)")
        case 5, 6: logger.info("\(line)")
        default: logger.debug("\(line)")
        }
    }

    func stageProgressed(fraction: Double, text: String) {
        let now = Timestamp.monotonic()
        guard now - lastProgress >= 0.5 || fraction >= 1 else { return }
        lastProgress = now
        onProgress?(stage, fraction, text)
        logger.debug("\(prefix) \(stage): \(Int(fraction * 100))% \(text)")
    }
}
