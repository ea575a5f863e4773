import ArgumentParser

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Work on the ledger database itself.",
        subcommands: [LedgerMigrate.self]
    )
}
