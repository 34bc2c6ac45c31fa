import Server

#if canImport(Glibc)
import Glibc
#endif

/// Dispatches `ledger <command> [flags]`; returns the exit code (2 for usage errors).
enum LedgerCommand {
    static let usage = """
        usage: ledger <command> [flags]

        commands:
          server -c FILE    run a node from its configuration file (conf/n0.conf)
        """

    static func run(_ arguments: [String]) -> Int32 {
        guard let command = arguments.first else {
            printError(usage)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "server":
            guard rest.count == 2, rest[0] == "-c" || rest[0] == "--config" else {
                printError("ledger server: expected -c FILE\n\n\(usage)")
                return 2
            }
            return ServerMain.run(configPath: rest[1])
        case "--help", "-h", "help":
            print(usage)
            return 0
        default:
            printError("ledger: unknown command \"\(command)\"\n\n\(usage)")
            return 2
        }
    }

    static func printError(_ text: String) {
        var bytes = Array("\(text)\n".utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
