import LedgerModel
import Posix
import Raft
import Remoting
import Replica

/// Transactions on the broker port: producers' connections by group (from heartbeats and half
/// messages), and the leader's check backs of undecided half messages, sent to one live
/// producer of the group (CHECK_TRANSACTION_STATE, one-way; the producer answers with a new
/// END_TRANSACTION).
extension LedgerServer {
    /// Asks a live producer of `check.producerGroup` about the half message; logs when none is
    /// connected (the next check asks again).
    func checkTransaction(_ check: TransactionCheckRequest) {
        let now = WallClock.nowMilliseconds()
        guard let id = producerGroups.liveConnection(of: check.producerGroup, now: now),
            let connection = remotingConnections[id]
        else {
            return logger.info(
                term: replica?.term.rawValue,
                "no producer of group \(check.producerGroup) is connected to check back the half message at "
                    + "\(check.message.physicalOffset); the next check asks again")
        }
        send(.checkTransactionState(check.message, opaque: connection.makeOpaque()), on: connection)
    }

    /// Notes the producer groups a broker request shows `connection` speaks for.
    func noteProducer(_ request: BrokerRequest, on connection: RemotingConnection) {
        let now = WallClock.nowMilliseconds()
        switch request {
        case .heartbeat(let heartbeat):
            for group in heartbeat.producerGroups { producerGroups.record(group, connection: connection.id, now: now) }
        case .send(let send):
            for message in send.messages {
                if let group = message.properties[MessageProperty.producerGroup] {
                    producerGroups.record(group, connection: connection.id, now: now)
                }
            }
        case .endTransaction(let end):
            producerGroups.record(end.producerGroup, connection: connection.id, now: now)
        default:
            break
        }
    }
}
