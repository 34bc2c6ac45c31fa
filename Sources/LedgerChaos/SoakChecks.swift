import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Posix
import Raft

/// One verdict line of `ledger soak`.
struct SoakCheck: Sendable, Hashable {
    var name: String
    var passed: Bool
    /// What held, or the first thing that did not (naming the node or queue and the figure).
    var detail: String
}

/// The checks `ledger soak` runs once the load has stopped, against the group as it is then.
enum SoakChecks {
    /// Waits up to `timeout` until every node runs and answers, one leads, and all stand at the
    /// leader's last index with it committed and applied (by the state machine too) and the
    /// same state digest.
    static func converged(_ cluster: LocalGroup, _ observer: LedgerClient, timeout: Duration) -> SoakCheck {
        let name = "converged"
        let deadline = ContinuousClock().now + timeout
        var problem = "no status yet"
        while ContinuousClock().now < deadline {
            if let down = cluster.peers.first(where: { !cluster.isRunning($0.id) }) {
                return SoakCheck(
                    name: name, passed: false, detail: "node \(down.name) is not running (see its log, n\(down.id).log)"
                )
            }
            let view = observer.statusAll()
            let statuses = view.nodes.compactMap(\.response)
            if let leader = view.leader, statuses.count == cluster.peers.count,
                let last = statuses.first(where: { $0.nodeID == leader.peer.id })?.lastIndex
            {
                let behind = statuses.filter {
                    $0.lastIndex != last || $0.commit != last || $0.applied != last || $0.stateApplied != last
                }
                if behind.isEmpty {
                    let digests = Set(statuses.map(\.stateDigest))
                    guard digests.count == 1 else {
                        let each = statuses.map { "\($0.nodeName) \(hex($0.stateDigest))" }.joined(separator: ", ")
                        return SoakCheck(
                            name: name, passed: false,
                            detail: "every node applied through index \(last) but their state digests differ: \(each)")
                    }
                    return SoakCheck(
                        name: name, passed: true,
                        detail:
                            "every node up, leader \(leader.peer.name), all applied through index \(last) "
                            + "with state digest \(hex(statuses[0].stateDigest))")
                }
                problem =
                    "leader \(leader.peer.name) at index \(last); "
                    + statuses.map { "\($0.nodeName) last \($0.lastIndex) applied \($0.stateApplied)" }.joined(
                        separator: ", ")
            } else {
                problem = view.summary
            }
            pause(.milliseconds(200))
        }
        return SoakCheck(
            name: name, passed: false, detail: "not converged within \(timeout) of the load's end: \(problem)")
    }

    /// A pull at offset 0 and at the queue's min offset - 1 answers OFFSET_ILLEGAL with next
    /// offset = min offset, for every queue of `queues`, whose min offset must have moved above 0.
    static func belowStart(_ queues: [MessageQueue], client: LedgerClient) -> SoakCheck {
        let name = "offset-illegal-below-min"
        var starts: [String] = []
        for queue in queues {
            let (topic, queueID) = (queue.topic, queue.queueID)
            var probe = QueueOffset.zero
            for round in 0..<2 {
                let result: PullResult
                do {
                    result = try client.pull(topic: topic, queueID: queueID, offset: probe, maxCount: 1)
                } catch {
                    return SoakCheck(
                        name: name, passed: false, detail: "queue \(queue): cannot pull offset \(probe): \(error)")
                }
                guard result.minOffset > .zero else {
                    return SoakCheck(
                        name: name, passed: false,
                        detail: "queue \(queue) still starts at offset 0: retention never moved its start")
                }
                guard result.status == .offsetIllegal, result.nextOffset == result.minOffset else {
                    return SoakCheck(
                        name: name, passed: false,
                        detail:
                            "queue \(queue): a pull at \(probe) below its min offset \(result.minOffset) answered "
                            + "\(result.status.rawValue) with next offset \(result.nextOffset)")
                }
                if round == 0 { starts.append("\(queue) \(result.minOffset)") }
                probe = QueueOffset(result.minOffset.rawValue - 1)
                if probe == .zero { break }
            }
        }
        return SoakCheck(
            name: name, passed: true,
            detail:
                "pulls at 0 and at min offset - 1 answered OFFSET_ILLEGAL with next offset = min offset "
                + "(queue starts \(starts.joined(separator: ", ")))")
    }

    /// `value` as 16 hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
