import CommitLog
import FileIO
import LedgerModel
import LogStore
import Raft
import Replica

/// A replica's host that records every action, and lets a test look at the node at the moment
/// an action is performed.
final class RecordingHost: ReplicaHost {
    private(set) var actions: [ReplicaAction] = []
    /// Called before an action is recorded, with the replica's state as it is at that moment.
    var inspect: ((ReplicaAction) -> Void)?

    func perform(_ action: ReplicaAction) {
        inspect?(action)
        actions.append(action)
    }

    /// The recorded actions, cleared.
    func take() -> [ReplicaAction] {
        defer { actions = [] }
        return actions
    }
}

/// One replica of a ``ReplicaGroup`` over a simulated disk, and what it asked for that the
/// test has not yet carried out.
final class TestNode {
    let id: NodeID
    let fileSystem: SimulatedFileSystem
    let host = RecordingHost()
    let replica: Replica
    /// The sync the replica started, until the test completes it.
    var pendingSync: PendingSync?
    /// Replies the replica sent, in order.
    var replies: [(client: ClientID, requestID: UInt64, reply: ClientReply)] = []
    /// Why the replica stopped, if it did.
    var stopped: ReplicaFailure?
    /// The replica's log lines, in order.
    var logs: [String] = []
    /// The transaction check backs this node asked its producers for.
    var checks: [TransactionCheckRequest] = []

    init(
        id: NodeID, members: [NodeID], now: Int64, configure: (inout RaftConfig) -> Void = { _ in },
        settings: (inout ReplicaConfiguration) -> Void = { _ in }
    ) throws {
        self.id = id
        fileSystem = SimulatedFileSystem(seed: id.rawValue)
        try fileSystem.makeDirectory("/log")
        let store = try LogStore(
            directory: "/log", fileSystem: fileSystem,
            configuration: LogStoreConfiguration(dataFileSize: 1 << 20, flushPolicy: .syncFlush))
        let machine = try CommitLogStateMachine.open(
            directory: "/messages", fileSystem: fileSystem, log: LogStoreMessages(store))
        var raft = RaftConfig(id: id, voters: members)
        raft.randomSeed = id.rawValue
        configure(&raft)
        var configuration = ReplicaConfiguration(
            group: "test", raft: raft,
            members: members.map { ReplicaMember(id: $0, name: "n\($0)", address: "127.0.0.1:\(40000 + $0.rawValue)") },
            storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 40000 + UInt16(id.rawValue)))
        settings(&configuration)
        replica = try Replica(configuration: configuration, store: store, stateMachine: machine, host: host, now: now)
    }

    var store: LogStore { replica.store }
    var core: RaftCore { replica.core }
}

/// Three replicas joined by a network the test drives by hand: messages wait until delivered,
/// syncs wait until completed, so a test can look between any two steps.
final class ReplicaGroup {
    let nodes: [TestNode]
    /// Messages sent and not yet delivered, in send order.
    private(set) var inFlight: [Message] = []
    /// Pieces of snapshots sent and not yet delivered, in send order.
    private(set) var chunksInFlight: [SnapshotChunk] = []
    var now: Int64 = 1_700_000_000_000

    /// `configure` adjusts every node's Raft settings, `settings` its replica settings.
    init(
        configure: (inout RaftConfig) -> Void = { _ in }, settings: (inout ReplicaConfiguration) -> Void = { _ in }
    ) throws {
        let ids = [NodeID(1), NodeID(2), NodeID(3)]
        nodes = try ids.map {
            try TestNode(id: $0, members: ids, now: 1_700_000_000_000, configure: configure, settings: settings)
        }
    }

    /// Carries out what node `id` asked for outside an event (a test called the replica).
    func settle(_ id: UInt64) { settle(node(id)) }

    /// Takes the pieces of snapshots (and receipts) in flight, to deliver some of them by hand.
    func takeChunks() -> [SnapshotChunk] {
        defer { chunksInFlight = [] }
        return chunksInFlight
    }

    func node(_ id: UInt64) -> TestNode { nodes[Int(id) - 1] }

    /// Hands `event` to node `id`, lets it settle, and carries out what it asked for: sends go
    /// in flight, syncs wait for ``completeSync(_:)``, persists run at once, replies are kept.
    func handle(_ id: UInt64, _ event: ReplicaEvent) {
        let node = node(id)
        node.replica.handle(event, now: now)
        settle(node)
    }

    private func settle(_ node: TestNode) {
        node.replica.settle(now: now)
        for action in node.host.take() {
            switch action {
            case .send(let message): inFlight.append(message)
            case .sendSnapshot(let chunk): chunksInFlight.append(chunk)
            case .transmit: break
            case .log(_, let line): node.logs.append(line)
            case .checkTransaction(let check): node.checks.append(check)
            case .reply(let reply, let client, let requestID): node.replies.append((client, requestID, reply))
            case .sync(let pending):
                precondition(node.pendingSync == nil, "two syncs at once on n\(node.id)")
                node.pendingSync = pending
            case .persist(let pending):
                let outcome = Result { () throws(CommitLogError) -> PersistDone in
                    try pending.perform(on: node.fileSystem)
                    return PersistDone(index: pending.appliedIndex, took: .zero)
                }
                node.replica.handle(.persistCompleted(outcome), now: now)
                settle(node)
            case .stop(let failure): node.stopped = failure
            }
        }
    }

    /// Completes node `id`'s running sync (its fdatasyncs run now).
    func completeSync(_ id: UInt64) throws {
        let node = node(id)
        guard let pending = node.pendingSync else { return }
        node.pendingSync = nil
        try pending.perform(on: node.fileSystem)
        handle(id, .syncCompleted(.success(())))
    }

    /// Delivers the messages in flight (and those they cause) whose destination `accepts`,
    /// without completing any sync.
    func deliver(where accepts: (Message) -> Bool = { _ in true }) {
        while !chunksInFlight.isEmpty {
            let chunk = chunksInFlight.removeFirst()
            handle(chunk.to.rawValue, .snapshotChunk(chunk))
        }
        while let position = inFlight.firstIndex(where: accepts) {
            let message = inFlight.remove(at: position)
            handle(message.to.rawValue, .peerMessage(message))
        }
    }

    /// Delivers every message and completes every sync until nothing moves.
    func runUntilQuiet() throws {
        while !inFlight.isEmpty || nodes.contains(where: { $0.pendingSync != nil }) {
            deliver()
            for node in nodes { try completeSync(node.id.rawValue) }
        }
    }

    /// Makes node `id` the leader of a quiet group.
    func elect(_ id: UInt64) throws {
        let node = node(id)
        try node.replica.campaign(now: now)
        settle(node)
        try runUntilQuiet()
        precondition(node.core.role == .leader, "n\(id) did not win")
    }

    /// Sends `request` from `client` to node `id`.
    func request(_ request: ClientRequest, to id: UInt64, client: UInt64 = 7, requestID: UInt64) {
        handle(id, .request(request, from: ClientID(client), requestID: requestID))
    }

    /// The replies node `id` sent to request `requestID`.
    func replies(from id: UInt64, to requestID: UInt64) -> [ClientReply] {
        node(id).replies.filter { $0.requestID == requestID }.map(\.reply)
    }
}
