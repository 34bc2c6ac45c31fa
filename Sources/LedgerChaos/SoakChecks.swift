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

    /// Every acknowledged message in `acks` pulled from the leader at its queue offset, with its
    /// physical offset and key. A message may be gone (below its queue's start) only if its store
    /// time lies more than `reserved` before the answer that said so: retention deletes a data
    /// file only once its newest message, hence every message in it, is that old.
    static func retained(_ acks: [SoakAck], client: LedgerClient, reserved: Duration) -> SoakCheck {
        let name = "retained-pullable"
        var checked = 0
        var expired = 0
        var violations: [String] = []
        for queueID in 0..<SoakLoad.queueCount {
            let queue = acks.filter { $0.queueID == queueID }.sorted { $0.queueOffset < $1.queueOffset }
            var next = 0
            while next < queue.count {
                let requested = queue[next].queueOffset
                let result: PullResult
                do {
                    result = try client.pull(topic: SoakLoad.topic, queueID: queueID, offset: requested, maxCount: 32)
                } catch {
                    violations.append("queue \(queueID): cannot pull offset \(requested): \(error)")
                    break
                }
                let youngest = WallClock.nowMilliseconds() - reserved.wholeMilliseconds
                switch result.status {
                case .found:
                    let stored = Dictionary(result.messages.map { ($0.queueOffset, $0) }) { first, _ in first }
                    let last = result.messages.map(\.queueOffset).max() ?? requested
                    while next < queue.count && queue[next].queueOffset <= last {
                        let ack = queue[next]
                        next += 1
                        checked += 1
                        guard let message = stored[ack.queueOffset] else {
                            violations.append(
                                "queue \(queueID) offset \(ack.queueOffset) (\(ack.key)): not in the pull")
                            continue
                        }
                        if message.physicalOffset != ack.physicalOffset || !message.keys.contains(ack.key) {
                            violations.append(
                                "queue \(queueID) offset \(ack.queueOffset): acknowledged \(ack.key) at physical offset "
                                    + "\(ack.physicalOffset), pulled \(message.keys) at \(message.physicalOffset)")
                        }
                    }
                case .offsetIllegal where result.nextOffset > requested:
                    while next < queue.count && queue[next].queueOffset < result.nextOffset {
                        let ack = queue[next]
                        next += 1
                        if ack.storeTimestamp >= youngest {
                            violations.append(
                                "queue \(queueID) offset \(ack.queueOffset) (\(ack.key)), stored "
                                    + "\(WallClock.nowMilliseconds() - ack.storeTimestamp) ms ago (within fileReservedTime), "
                                    + "is gone: the queue starts at \(result.minOffset)")
                        } else {
                            expired += 1
                        }
                    }
                default:
                    violations.append(
                        "queue \(queueID) offset \(requested) (\(queue[next].key)): pull answered \(result.status.rawValue) "
                            + "(min \(result.minOffset), max \(result.maxOffset)) for an acknowledged message")
                    next += 1
                }
            }
        }
        guard violations.isEmpty else {
            return SoakCheck(
                name: name, passed: false, detail: "\(violations.count) problems, the first: \(violations[0])")
        }
        return SoakCheck(
            name: name, passed: checked > 0,
            detail:
                "\(checked) acknowledged messages pulled at their queue offsets with their physical offsets and keys; "
                + "\(expired) older ones already below their queue's start")
    }

    /// A pull at offset 0 and at the queue's min offset - 1 answers OFFSET_ILLEGAL with next
    /// offset = min offset, for every queue, whose min offset must have moved above 0.
    static func belowStart(client: LedgerClient) -> SoakCheck {
        let name = "offset-illegal-below-min"
        var starts: [String] = []
        for queueID in 0..<SoakLoad.queueCount {
            var probe = QueueOffset.zero
            for round in 0..<2 {
                let result: PullResult
                do {
                    result = try client.pull(topic: SoakLoad.topic, queueID: queueID, offset: probe, maxCount: 1)
                } catch {
                    return SoakCheck(
                        name: name, passed: false, detail: "queue \(queueID): cannot pull offset \(probe): \(error)")
                }
                guard result.minOffset > .zero else {
                    return SoakCheck(
                        name: name, passed: false,
                        detail: "queue \(queueID) still starts at offset 0: retention never moved its start")
                }
                guard result.status == .offsetIllegal, result.nextOffset == result.minOffset else {
                    return SoakCheck(
                        name: name, passed: false,
                        detail:
                            "queue \(queueID): a pull at \(probe) below its min offset \(result.minOffset) answered "
                            + "\(result.status.rawValue) with next offset \(result.nextOffset)")
                }
                if round == 0 { starts.append("\(queueID): \(result.minOffset)") }
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
