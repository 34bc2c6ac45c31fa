/// Why a ``LocalGroup`` could not be set up or a node could not be started.
package struct HarnessError: Error, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }
}
