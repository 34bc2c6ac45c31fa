/// The identity of one member of a Raft group. Distinct from ``Term`` and ``LogIndex`` so that
/// swapping one for another does not compile.
public struct NodeID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A Raft term: a logical clock that only moves forward. Term 0 precedes every election.
public struct Term: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static let zero = Term(0)
    public static func < (lhs: Term, rhs: Term) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The term after this one.
    public var next: Term { Term(rawValue + 1) }
    public var description: String { String(rawValue) }
}

/// A position in the Raft log. The first entry has index 1; index 0 means "before the log".
public struct LogIndex: RawRepresentable, Hashable, Comparable, Strideable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static let zero = LogIndex(0)
    public static func < (lhs: LogIndex, rhs: LogIndex) -> Bool { lhs.rawValue < rhs.rawValue }
    public func distance(to other: LogIndex) -> Int64 { Int64(bitPattern: other.rawValue &- rawValue) }
    public func advanced(by n: Int64) -> LogIndex { LogIndex(UInt64(bitPattern: Int64(bitPattern: rawValue) &+ n)) }
    /// The index after this one.
    public var next: LogIndex { LogIndex(rawValue + 1) }
    /// The index before this one; `zero` stays `zero`.
    public var previous: LogIndex { rawValue == 0 ? .zero : LogIndex(rawValue - 1) }
    public var description: String { String(rawValue) }
}
