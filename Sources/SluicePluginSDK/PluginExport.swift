#if canImport(Glibc)
import Glibc
#endif

/// Builds the ABI descriptor for a ``Stage`` type. Call it from the one
/// exported function of a plugin (see ``Stage``).
public enum PluginExport {
    /// The descriptor for `stage`. The memory is allocated once per call and
    /// never freed: the host calls the export once and never unloads plugins.
    public static func descriptor<S: Stage>(for stage: S.Type) -> UnsafeRawPointer {
        let box = Unmanaged.passRetained(StageBox(type: stage)).toOpaque()
        let pointer = UnsafeMutablePointer<sluice_plugin_descriptor>.allocate(capacity: 1)
        pointer.initialize(to: sluice_plugin_descriptor(
            struct_size: UInt32(MemoryLayout<sluice_plugin_descriptor>.size),
            abi_version: UInt32(SLUICE_PLUGIN_ABI_VERSION),
            name: UnsafePointer(strdup(S.name)),
            version: UnsafePointer(strdup(S.version)),
            kind: S.kind.rawValue,
            summary: UnsafePointer(strdup(S.summary)),
            run: runTrampoline,
            plugin_data: box,
            apply: S.self is any AppliedStage.Type ? applyTrampoline : nil
        ))
        return UnsafeRawPointer(pointer)
    }
}

/// Carries the stage type from the descriptor back to the trampoline. Lives in
/// the plugin only; the host sees it as `void *plugin_data` and never reads it.
final class StageBox {
    let type: any Stage.Type
    init(type: any Stage.Type) { self.type = type }
}

/// The boxed stage type's `run` (or ``AppliedStage/apply(_:)``) on a fresh
/// instance: an error thrown becomes `fail` with its description.
private func enter(_ descriptor: UnsafePointer<sluice_plugin_descriptor>?, _ api: UnsafePointer<sluice_host_api>?,
                   _ context: OpaquePointer?, _ body: (any Stage, StageContext) throws -> Void) -> Int32 {
    guard let descriptor, let api, let context, let data = descriptor.pointee.plugin_data else {
        return Int32(SLUICE_ERROR)
    }
    let box = Unmanaged<StageBox>.fromOpaque(data).takeUnretainedValue()
    let stageContext = StageContext(api: api, context: context)
    do {
        try body(box.type.init(), stageContext)
        return Int32(SLUICE_OK)
    } catch {
        stageContext.fail("\(error)")
        return Int32(SLUICE_ERROR)
    }
}

private let runTrampoline: @convention(c) (
    UnsafePointer<sluice_plugin_descriptor>?, UnsafePointer<sluice_host_api>?, OpaquePointer?
) -> Int32 = { descriptor, api, context in
    enter(descriptor, api, context) { stage, stageContext in try stage.run(stageContext) }
}

private let applyTrampoline: @convention(c) (
    UnsafePointer<sluice_plugin_descriptor>?, UnsafePointer<sluice_host_api>?, OpaquePointer?
) -> Int32 = { descriptor, api, context in
    enter(descriptor, api, context) { stage, stageContext in
        guard let applied = stage as? any AppliedStage else {
            throw StageError("stage \(type(of: stage).name) has no apply")
        }
        try applied.apply(stageContext)
    }
}
