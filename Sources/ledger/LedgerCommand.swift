import LedgerBench
import LedgerCLI
import LedgerChaos
import Server

/// Dispatches `ledger <command> [flags]`; returns the process exit code (see `ledger --help`).
/// The bench, chaos and soak commands parse and run in their own modules; `server` runs the node;
/// everything else is a client command of `LedgerCLI`.
enum LedgerCommand {
    static func run(_ arguments: [String]) -> Int32 {
        do throws(UsageError) {
            if let name = arguments.first, BenchCommands.names.contains(name) {
                return try BenchCommands.run(arguments)
            }
            if arguments.first == ChaosCommand.name { return try ChaosCommand.run(arguments) }
            if arguments.first == SoakCommand.name { return try SoakCommand.run(arguments) }
            let invocation = try Invocation.parse(arguments)
            if case .server(let configPath, let faultInjection) = invocation {
                return ServerMain.run(configPath: configPath, faultInjection: faultInjection)
            }
            return ClientCommands.run(invocation)
        } catch {
            Console.error(error.description)
            return ExitCode.usage
        }
    }
}
