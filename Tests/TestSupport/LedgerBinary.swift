import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// Why the `ledger` executable the process tests run was not found.
package struct MissingLedgerBinary: Error, CustomStringConvertible {
    /// Where it was looked for and how to build it.
    package var description: String
}

/// The `ledger` executable the process tests run: `$LEDGER_BINARY` when set, else the `ledger`
/// that `swift build --build-tests` put beside the test bundle (the test process runs
/// `.build/<triple>/debug/SwiftLedgerPackageTests.xctest`, and `ledger` sits in the same folder).
package func ledgerBinary() throws -> String {
    if let override = getenv("LEDGER_BINARY") { return String(cString: override) }
    let bundle = try currentExecutablePath()
    let folder = bundle[..<(bundle.lastIndex(of: "/") ?? bundle.startIndex)]
    let path = "\(folder)/ledger"
    guard fileExists(path) else {
        throw MissingLedgerBinary(
            description: "no ledger executable at \(path); build it first (swift build --build-tests)")
    }
    return path
}
