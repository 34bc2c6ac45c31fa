import LedgerCLI
import Server

/// Dispatches `ledger <command> [flags]`; returns the process exit code (see `ledger --help`).
enum LedgerCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let invocation: Invocation
        do {
            invocation = try Invocation.parse(arguments)
        } catch {
            Console.error(error.description)
            return ExitCode.usage
        }
        if case .server(let configPath) = invocation { return ServerMain.run(configPath: configPath) }
        return ClientCommands.run(invocation)
    }
}
