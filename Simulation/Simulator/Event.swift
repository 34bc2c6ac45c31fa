import LedgerModel
import Raft

/// One thing that happens at an instant of virtual time. Nodes and clients are named by their
/// position in the cluster's node and client lists.
enum Event {
    /// A node's logical clock ticks (every 10 ms).
    case tick(node: Int)
    /// A message arrives at node `to`.
    case deliver(Message, to: Int)
    /// A piece of a snapshot arrives at node `to`.
    case deliverSnapshot(SnapshotChunk, to: Int)
    /// The sync that a node's incarnation started has completed.
    case syncDone(node: Int, incarnation: UInt64)
    /// The state-machine persist that a node's incarnation started has completed.
    case persistDone(node: Int, incarnation: UInt64)
    /// A crashed node comes back (ignored if it is up again by then).
    case restart(node: Int, incarnation: UInt64)
    /// A paused node continues (only if it is still in the same pause).
    case resume(node: Int, pause: UInt64)
    /// A partition ends (only if it is still the same partition).
    case healPartition(epoch: UInt64)
    /// The nemesis considers injecting a fault.
    case nemesis
    /// A client starts its next request.
    case clientIssue(client: Int)
    /// A client's request reaches a node.
    case clientArrive(client: Int, node: Int, request: UInt64)
    /// A client gives up waiting on a request.
    case clientTimeout(client: Int, request: UInt64)
    /// The safety phase ends: every fault heals.
    case heal
    /// Clients stop issuing requests.
    case stopClients
    /// A periodic look at liveness during the liveness phase.
    case probe

    /// The node whose loop handles this event, if it is one a busy loop makes wait.
    var node: Int? {
        switch self {
        case .tick(let node), .syncDone(let node, _), .persistDone(let node, _): node
        case .deliver(_, let to), .deliverSnapshot(_, let to): to
        case .clientArrive(_, let node, _): node
        case .restart, .resume, .healPartition, .nemesis, .clientIssue, .clientTimeout, .heal, .stopClients, .probe:
            nil
        }
    }

    /// Folds this event's canonical encoding into `hash`.
    func fold(into hash: inout TraceHash) {
        switch self {
        case .tick(let node):
            hash.mix(1)
            hash.mix(UInt64(node))
        case .deliver(let message, let to):
            hash.mix(2)
            hash.mix(UInt64(to))
            hash.mix(message)
        case .syncDone(let node, let incarnation):
            hash.mix(3)
            hash.mix(UInt64(node))
            hash.mix(incarnation)
        case .persistDone(let node, let incarnation):
            hash.mix(14)
            hash.mix(UInt64(node))
            hash.mix(incarnation)
        case .restart(let node, let incarnation):
            hash.mix(4)
            hash.mix(UInt64(node))
            hash.mix(incarnation)
        case .resume(let node, let pause):
            hash.mix(5)
            hash.mix(UInt64(node))
            hash.mix(pause)
        case .healPartition(let epoch):
            hash.mix(6)
            hash.mix(epoch)
        case .nemesis:
            hash.mix(7)
        case .clientIssue(let client):
            hash.mix(8)
            hash.mix(UInt64(client))
        case .clientArrive(let client, let node, let request):
            hash.mix(9)
            hash.mix(UInt64(client))
            hash.mix(UInt64(node))
            hash.mix(request)
        case .clientTimeout(let client, let request):
            hash.mix(10)
            hash.mix(UInt64(client))
            hash.mix(request)
        case .heal:
            hash.mix(11)
        case .stopClients:
            hash.mix(12)
        case .probe:
            hash.mix(13)
        case .deliverSnapshot(let chunk, let to):
            hash.mix(15)
            hash.mix(UInt64(to))
            hash.mix(chunk.snapshot.index.rawValue)
            hash.mix(chunk.offset)
            hash.mix(UInt64(chunk.data.count))
        }
    }

    /// One line for logs, naming nodes by id.
    func describe(_ ids: [NodeID]) -> String {
        switch self {
        case .tick(let node): "tick n\(ids[node])"
        case .deliver(let message, _): "deliver \(message)"
        case .deliverSnapshot(let chunk, _): "deliver snapshot piece \(chunk)"
        case .syncDone(let node, let incarnation): "sync done n\(ids[node]) (incarnation \(incarnation))"
        case .persistDone(let node, let incarnation): "persist done n\(ids[node]) (incarnation \(incarnation))"
        case .restart(let node, _): "restart n\(ids[node])"
        case .resume(let node, _): "resume n\(ids[node])"
        case .healPartition(let epoch): "heal partition #\(epoch)"
        case .nemesis: "nemesis"
        case .clientIssue(let client): "client c\(client) issues"
        case .clientArrive(let client, let node, let request):
            "client c\(client) request r\(request) reaches n\(ids[node])"
        case .clientTimeout(let client, let request): "client c\(client) times out on r\(request)"
        case .heal: "heal everything (liveness phase)"
        case .stopClients: "clients stop"
        case .probe: "probe"
        }
    }
}

/// The last few events and notes before now, for failure reports. Events are kept as values and
/// described only when a report is printed, so recording costs little.
struct RecentEvents {
    private enum Record {
        case event(VirtualTime, Event)
        case note(VirtualTime, String)
    }

    private var records: [Record] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    mutating func record(_ event: Event, at time: VirtualTime) { append(.event(time, event)) }
    mutating func note(_ line: String, at time: VirtualTime) { append(.note(time, line)) }

    private mutating func append(_ record: Record) {
        if records.count < capacity {
            records.append(record)
        } else {
            records[next] = record
            next = (next + 1) % capacity
        }
    }

    /// Oldest first, one line each.
    func lines(_ ids: [NodeID]) -> [String] {
        (records[next...] + records[..<next]).map { record in
            switch record {
            case .event(let time, let event): "\(time) \(event.describe(ids))"
            case .note(let time, let line): "\(time)   \(line)"
            }
        }
    }
}
