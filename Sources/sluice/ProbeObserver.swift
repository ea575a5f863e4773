import SluicePluginHost

/// Forwards a stage's log and progress lines to the `plugins check` parent.
final class ProbeObserver: StageObserver {
    let emit: (String, String, String) -> Void

    init(emit: @escaping (String, String, String) -> Void) { self.emit = emit }

    func stageLogged(level: Int32, message: String) {
        let name = switch level {
        case ...3: "error"
        case 4: "warning"
        case 5, 6: "info"
        default: "debug"
        }
        emit("log", name, message)
    }

    func stageProgressed(fraction: Double, text: String) {
        emit("progress", String(Int((fraction * 100).rounded())), text)
    }
}
