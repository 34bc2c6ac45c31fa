import LedgerClient
import LedgerConfig
import Raft
import Wire

/// Reads back, after the heal, what each node holds: its committed Raft log, entry by entry,
/// from that node alone (a node serves `get` up to its own commit index), so a replica that
/// diverged cannot hide behind the leader.
enum ChaosFinalState {
    /// Every committed entry of `peer`, from index 1 to its commit index.
    static func committedEntries(of peer: Peer) throws(HarnessError) -> [GetResponse] {
        do throws(NodeConnectionError) {
            let connection = try NodeConnection.open(to: peer, deadline: ContinuousClock().now + .seconds(5))
            defer { connection.close() }
            let answer = try connection.request(.statusRequest, deadline: ContinuousClock().now + .seconds(5))
            guard case .statusResponse(let status) = answer else {
                throw .protocolViolation("answered status with \(answer.opcode)")
            }
            var entries: [GetResponse] = []
            var index = LogIndex(1)
            while index <= status.commit {
                let answer = try connection.request(
                    .getRequest(GetRequest(index: index)), deadline: ContinuousClock().now + .seconds(5))
                guard case .getResponse(let entry) = answer else {
                    throw .protocolViolation("answered get \(index) with \(answer.opcode)")
                }
                entries.append(entry)
                index = LogIndex(index.rawValue + 1)
            }
            return entries
        } catch {
            throw HarnessError("cannot read \(peer.name)'s committed log: \(error)")
        }
    }

    /// `peer`'s committed log as the checker sees it.
    static func contents(of peer: Peer) throws(HarnessError) -> ChaosNodeContents {
        ChaosNodeContents(node: peer.name, items: try committedEntries(of: peer).map(ChaosRawWorkload.item))
    }
}
