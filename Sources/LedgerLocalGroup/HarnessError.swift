/// Why a ``LocalGroup`` could not be set up or a node could not be started.
package struct HarnessError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, one line.
    package var description: String

    /// An error saying `description`.
    package init(_ description: String) { self.description = description }
}
