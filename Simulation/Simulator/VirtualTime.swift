/// Simulated time: milliseconds since the start of a run. Nothing in the simulator reads a real
/// clock; time advances only when the event queue says so.
public struct VirtualTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliseconds: UInt64

    public init(milliseconds: UInt64) { self.milliseconds = milliseconds }

    public static let zero = VirtualTime(milliseconds: 0)

    public static func milliseconds(_ value: UInt64) -> VirtualTime { VirtualTime(milliseconds: value) }
    public static func seconds(_ value: UInt64) -> VirtualTime { VirtualTime(milliseconds: value * 1000) }

    public static func < (lhs: VirtualTime, rhs: VirtualTime) -> Bool { lhs.milliseconds < rhs.milliseconds }
    public static func + (lhs: VirtualTime, rhs: VirtualTime) -> VirtualTime {
        VirtualTime(milliseconds: lhs.milliseconds + rhs.milliseconds)
    }

    /// `s.mmm`, e.g. `12.345s`.
    public var description: String {
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}
