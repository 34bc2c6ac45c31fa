import CommitLog
import LedgerModel
import Raft
import Replica

/// The bytes raw clients append: an 8-byte little-endian proposal id, then filler. The replica
/// stores them as a raw entry (``EntryPayload/encodeRaw(_:)``, the `0x00` tag).
enum Payload {
    static func make(id: UInt64, fillerBytes: Int) -> [UInt8] {
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: id >> (8 * $0)) }
        for offset in 0..<fillerBytes { bytes.append(UInt8(truncatingIfNeeded: id &+ UInt64(offset))) }
        return bytes
    }

    /// The proposal id in the entry bytes `data`, or nil if it is not a raw client payload.
    static func id(in data: [UInt8]) -> UInt64? {
        guard data.count >= 9, data[0] == 0 else { return nil }
        return (0..<8).reduce(0) { $0 | UInt64(data[1 + $1]) << (8 * UInt64($1)) }
    }
}

/// Every raw append of a run, by proposal id (1, 2, …), and what became of it, as the
/// clients and the accepting nodes saw it. Also the checker of "no proposal applied at two
/// indices" and "no lost proposal reappears".
public struct ProposalHistory: Sendable {
    /// What became of one proposal.
    public enum Outcome: Sendable, Hashable {
        /// Issued, no outcome yet.
        case pending
        /// Applied on the node that accepted it, with the term it was accepted in.
        case acknowledged(LogIndex)
        /// Definitely not committed: another term's entry was applied at its index.
        case failed(String)
        /// Unknown: the client timed out, the node crashed or gave up; it may still commit.
        case indeterminate(String)
    }

    public private(set) var outcomes: [Outcome] = []
    private var appliedAt: [UInt64: LogIndex] = [:]
    /// Acknowledged proposals in acknowledgement order.
    public private(set) var acknowledgements: [(id: UInt64, index: LogIndex)] = []
    /// The highest acknowledged index.
    public private(set) var highestAcknowledged: LogIndex = .zero

    public init() {}

    /// A new proposal id.
    mutating func issue() -> UInt64 {
        outcomes.append(.pending)
        return UInt64(outcomes.count)
    }

    func outcome(of id: UInt64) -> Outcome { outcomes[Int(id - 1)] }

    mutating func acknowledged(_ id: UInt64, at index: LogIndex) {
        outcomes[Int(id - 1)] = .acknowledged(index)
        acknowledgements.append((id, index))
        highestAcknowledged = max(highestAcknowledged, index)
    }

    mutating func failed(_ id: UInt64, reason: String) {
        if case .acknowledged = outcome(of: id) { preconditionFailure("p\(id) failed after it was acknowledged") }
        outcomes[Int(id - 1)] = .failed(reason)
    }

    /// Marks `id` indeterminate unless it already has a definite outcome.
    mutating func indeterminate(_ id: UInt64, reason: String) {
        if case .pending = outcome(of: id) { outcomes[Int(id - 1)] = .indeterminate(reason) }
    }

    /// Some node's state machine applied proposal `id` at `index`.
    mutating func applied(_ id: UInt64, at index: LogIndex) throws(Violation) {
        guard id >= 1 && id <= UInt64(outcomes.count) else {
            throw Violation("unknown-proposal", "index \(index) holds p\(id), which no client proposed")
        }
        if let earlier = appliedAt[id], earlier != index {
            throw Violation("proposal-applied-twice", "p\(id) applied at index \(earlier) and at index \(index)")
        }
        if case .failed(let reason) = outcome(of: id) {
            throw Violation("lost-proposal-applied", "p\(id) failed (\(reason)) but was applied at \(index)")
        }
        appliedAt[id] = index
    }

    /// Counts of each outcome.
    public var summary: (pending: Int, acknowledged: Int, failed: Int, indeterminate: Int) {
        var counts = (0, 0, 0, 0)
        for outcome in outcomes {
            switch outcome {
            case .pending: counts.0 += 1
            case .acknowledged: counts.1 += 1
            case .failed: counts.2 += 1
            case .indeterminate: counts.3 += 1
            }
        }
        return counts
    }
}
