import ArgumentParser

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, check and scaffold stage plugins.",
        discussion: """
        A stage plugin is a shared object (.so) that exports sluice_plugin_descriptor_v1 \
        (see sluice_plugin.h and docs/plugins.md). sluice loads plugins only from the search \
        path, and refuses a file or a folder above it that someone other than root or the user \
        sluice runs as could have written.

        Write one in minutes:
          sluice plugins new my-stage --lang c --kind custom --output ~/src/my-stage
          make -C ~/src/my-stage && sluice plugins check ~/src/my-stage/my-stage.so
          sluice plugins list --config /etc/sluice/sluice.yaml

        `sluice plugins FILE.so …` (no subcommand) lists those files' load status.
        """,
        subcommands: [PluginsList.self, PluginsCheck.self, PluginsNew.self, PluginsProbe.self],
        defaultSubcommand: PluginsList.self
    )
}
