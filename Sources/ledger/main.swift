import Server

#if canImport(Glibc)
import Glibc
#endif

/// `ledger`: the node and its command-line tools.
let arguments = Array(CommandLine.arguments.dropFirst())
exit(LedgerCommand.run(arguments))
