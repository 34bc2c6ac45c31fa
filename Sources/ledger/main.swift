#if canImport(Glibc)
    import Glibc
#endif

/// `ledger`: the node (`ledger server`) and the client commands.
exit(LedgerCommand.run(Array(CommandLine.arguments.dropFirst())))
