/// A command line that cannot be run: an unknown command or flag, a missing or malformed value.
/// The CLI prints its description on stderr and exits with 2.
package struct UsageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The command involved, e.g. `ledger status`.
    var command: String
    /// What is wrong, e.g. `--index: expected a log index (1 or more), got "x"`.
    var message: String

    /// `message` about the command line of `command`.
    package init(_ message: String, command: String) {
        self.command = command
        self.message = message
    }

    /// One line: `ledger get: --index needs a value (--index N); see ledger get --help`.
    package var description: String { "\(command): \(message); see \(command) --help" }
}
