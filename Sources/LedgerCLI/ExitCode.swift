/// The exit codes of `ledger`, which scripts may rely on (also listed by `ledger --help`).
package enum ExitCode {
    /// Success; for `status`, a leader is seen.
    package static let success: Int32 = 0
    /// The operation failed: a node refused it, leadership did not move, a benchmark round failed.
    package static let failure: Int32 = 1
    /// Usage or configuration error.
    package static let usage: Int32 = 2
    /// No quorum / no leader: none was found, or the group could not commit, within the timeout.
    /// A write that ends so was certainly not stored.
    package static let noQuorum: Int32 = 3
    /// A write was not confirmed within the timeout but may have been stored
    /// (`LedgerClientError.outcomeUnknown`): do not assume it failed.
    package static let outcomeUnknown: Int32 = 4
}
