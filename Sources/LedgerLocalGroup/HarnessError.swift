/// Why a ``LocalGroup`` could not be set up or a node could not be started.
public struct HarnessError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
