import LedgerModel
import Raft

/// The locks orderly consumers hold on message queues (RocketMQ's `RebalanceLockManager`): per
/// consumer group, each queue is locked by at most one client, so only that client consumes it
/// and the queue's order is kept. A lock lasts ``expiryMilliseconds`` after its holder last
/// locked it (the clients renew theirs every 20 s); an expired lock goes to the next client
/// that asks. Held by the leader's replica only, in memory (``Replica``): after a failover the
/// clients lock again on the new leader, which starts empty (the first to ask gets each queue).
///
/// Times are the caller's clock. Answers follow the order of the request, so nothing depends on
/// hashing order.
public struct QueueLocks: Sendable {
    /// RocketMQ's `rocketmq.broker.rebalance.lockMaxLiveTime` default: 60 s.
    public static let defaultExpiryMilliseconds: Int64 = 60_000

    private struct Key: Hashable {
        var group: String
        var queue: MessageQueue
    }

    private struct Lock {
        var clientID: String
        var lastLocked: Int64
    }

    private var locks: [Key: Lock] = [:]
    /// How long a lock lasts after its holder last locked it.
    public let expiryMilliseconds: Int64

    public init(expiryMilliseconds: Int64 = QueueLocks.defaultExpiryMilliseconds) {
        self.expiryMilliseconds = expiryMilliseconds
    }

    /// Locks for `request.clientID` every queue of the request that is free, expired or its own
    /// already (renewing those); returns the queues it now holds, in request order.
    public mutating func lock(_ request: QueueLockRequest, now: Int64) -> [MessageQueue] {
        var held: [MessageQueue] = []
        for queue in request.queues {
            let key = Key(group: request.group, queue: queue)
            if let lock = locks[key], lock.clientID != request.clientID, now - lock.lastLocked < expiryMilliseconds {
                continue
            }
            locks[key] = Lock(clientID: request.clientID, lastLocked: now)
            held.append(queue)
        }
        return held
    }

    /// Releases the request's queues that `request.clientID` holds; others' locks stay.
    public mutating func unlock(_ request: QueueLockRequest) {
        for queue in request.queues {
            let key = Key(group: request.group, queue: queue)
            if locks[key]?.clientID == request.clientID { locks[key] = nil }
        }
    }

    /// The client holding `queue` of `group` at `now`, if any (an expired lock holds nothing).
    public func holder(of queue: MessageQueue, group: String, now: Int64) -> String? {
        guard let lock = locks[Key(group: group, queue: queue)], now - lock.lastLocked < expiryMilliseconds else {
            return nil
        }
        return lock.clientID
    }

    /// Drops every lock (this node stopped leading: the next leader's table decides).
    public mutating func removeAll() { locks.removeAll() }

    /// Locks held, expired ones included until they are taken over.
    public var count: Int { locks.count }
}
