/// Why a run failed: the invariant, the details, when, and the events just before.
public struct SimulationFailure: Error, Sendable, CustomStringConvertible {
    /// The rule that broke, e.g. `election-safety`.
    public var invariant: String
    /// What was seen, on one line.
    public var details: String
    public var time: VirtualTime
    /// The last events before the failure, oldest first.
    public var recentEvents: [String]

    public var description: String { "VIOLATION \(invariant): \(details)" }
}
