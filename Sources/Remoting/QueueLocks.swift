/// The locks orderly consumers hold on message queues (RocketMQ's `RebalanceLockManager`): per
/// consumer group, each queue is locked by at most one client, so only that client consumes it
/// and the queue's order is kept. A lock lasts ``expiryMilliseconds`` after its holder last
/// locked it (the clients renew theirs every 20 s); an expired lock goes to the next client
/// that asks. Held by the leader's front end only, in memory: after a failover the clients lock
/// again on the new leader, which starts empty (the first to ask gets each queue).
///
/// Times are the caller's clock. Answers follow the order of the request, so nothing depends on
/// hashing order.
public struct QueueLocks: Sendable {
    /// RocketMQ's `rocketmq.broker.rebalance.lockMaxLiveTime` default: 60 s.
    public static let expiryMilliseconds: Int64 = 60_000

    private struct Key: Hashable {
        var group: String
        var topic: String
        var queueID: Int32
    }

    private struct Lock {
        var clientID: String
        var lastLocked: Int64
    }

    private var locks: [Key: Lock] = [:]

    public init() {}

    /// Locks for `request.clientID` every queue of the request that is free, expired or its own
    /// already (renewing those); returns the queues it now holds, in request order.
    public mutating func lock(_ request: LockBatchRequest, now: Int64) -> [LockBatchRequest.Queue] {
        var held: [LockBatchRequest.Queue] = []
        for queue in request.queues {
            let key = Key(group: request.consumerGroup, topic: queue.topic, queueID: queue.queueID)
            if let lock = locks[key], lock.clientID != request.clientID,
                now - lock.lastLocked < Self.expiryMilliseconds
            {
                continue
            }
            locks[key] = Lock(clientID: request.clientID, lastLocked: now)
            held.append(queue)
        }
        return held
    }

    /// Releases the request's queues that `request.clientID` holds; others' locks stay.
    public mutating func unlock(_ request: LockBatchRequest) {
        for queue in request.queues {
            let key = Key(group: request.consumerGroup, topic: queue.topic, queueID: queue.queueID)
            if locks[key]?.clientID == request.clientID { locks[key] = nil }
        }
    }

    /// Drops every lock (this node stopped leading: the next leader's table decides).
    public mutating func removeAll() { locks.removeAll() }

    /// Locks held, expired ones included until they are taken over.
    public var count: Int { locks.count }
}
