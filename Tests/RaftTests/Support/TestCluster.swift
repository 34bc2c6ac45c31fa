import Raft
import Testing

/// A synchronous, deterministic harness around real ``RaftCore``s (after etcd's `network`):
/// readies are handled at once over ``MemoryStorage``, messages wait in one FIFO queue, and a
/// filter can drop any of them.
final class TestCluster {
    final class Node {
        let id: NodeID
        var core: RaftCore
        let storage: MemoryStorage
        var applied: [Entry] = []
        var failed: [FailedProposal] = []
        var reads: [ReadState] = []
        var config: RaftConfig
        /// This node's state-machine snapshots by index (its applied entries through it), as a
        /// real owner keeps them to send to followers.
        var snapshots: [LogIndex: [Entry]] = [:]
        /// The snapshot bytes a leader's owner delivered with an offer, held until installed.
        var receivedSnapshot: [Entry]?
        /// Snapshots this node installed, in order.
        var installed: [SnapshotMetadata] = []

        init(config: RaftConfig, storage: MemoryStorage) throws {
            id = config.id
            self.config = config
            self.storage = storage
            core = try RaftCore(config: config, storage: storage)
        }
    }

    private(set) var nodes: [Node] = []
    private var queue: [Message] = []
    /// Messages for which this returns true are dropped.
    var drop: (Message) -> Bool = { _ in false }
    /// Every message delivered, for assertions.
    private(set) var delivered: [Message] = []

    /// - Parameters:
    ///   - logs: initial entries per node (as `(index, term)` pairs, payload = "i/t").
    ///   - terms: initial durable term per node.
    init(
        _ ids: [UInt64], logs: [UInt64: [(UInt64, UInt64)]] = [:], terms: [UInt64: UInt64] = [:],
        configure: (inout RaftConfig) -> Void = { _ in }
    ) throws {
        let voters = ids.map { NodeID($0) }
        for raw in ids {
            var config = RaftConfig(id: NodeID(raw), voters: voters)
            config.randomSeed = raw
            configure(&config)
            let entries = (logs[raw] ?? []).map { Self.entry($0.0, $0.1) }
            let storage = MemoryStorage(hardState: HardState(term: Term(terms[raw] ?? 0)), entries: entries)
            nodes.append(try Node(config: config, storage: storage))
        }
    }

    static func entry(_ index: UInt64, _ term: UInt64) -> Entry {
        Entry(index: LogIndex(index), term: Term(term), data: Array("\(index)/\(term)".utf8))
    }

    func node(_ raw: UInt64) -> Node { nodes.first { $0.id.rawValue == raw }! }
    func core(_ raw: UInt64) -> RaftCore { node(raw).core }
    var leaders: [NodeID] { nodes.filter { $0.core.role == .leader }.map(\.id) }

    /// Handles every pending ready per the contract, then delivers queued messages, until quiet.
    func stabilize(maxSteps: Int = 100_000) throws {
        for _ in 0..<maxSteps {
            var progressed = false
            for node in nodes where node.core.hasReady {
                progressed = true
                let ready = try node.core.ready()
                enqueue(ready.messages)
                if let snapshot = ready.snapshot {
                    guard let state = node.receivedSnapshot, state.last?.index ?? .zero == snapshot.index else {
                        Issue.record("node \(node.id) told to install \(snapshot) without its bytes")
                        return
                    }
                    node.storage.install(snapshot)
                    node.applied = state
                    node.snapshots[snapshot.index] = state
                    node.installed.append(snapshot)
                    node.receivedSnapshot = nil
                }
                node.storage.append(ready.entries)
                if let hardState = ready.hardState { node.storage.setHardState(hardState) }
                enqueue(ready.messagesAfterPersist)
                node.applied += ready.committedEntries
                node.failed += ready.failedProposals
                node.reads += ready.readStates
                node.core.advance(ready)
                try node.core.checkInvariants()
            }
            if !queue.isEmpty {
                progressed = true
                let message = queue.removeFirst()
                delivered.append(message)
                let target = node(message.to.rawValue)
                if case .installSnapshot(let snapshot) = message.body {
                    // The owners' transfer of the bytes, done at once.
                    guard let state = node(message.from.rawValue).snapshots[snapshot.index] else {
                        Issue.record("node \(message.from) offered \(snapshot) it does not have")
                        return
                    }
                    target.receivedSnapshot = state
                }
                try target.core.step(message)
                try target.core.checkInvariants()
            }
            if !progressed { return }
        }
        Issue.record("cluster did not stabilize within \(maxSteps) steps")
    }

    private func enqueue(_ messages: [Message]) {
        queue += messages.filter { !drop($0) }
    }

    /// Ticks every node `count` times, stabilizing after each tick.
    func tick(_ count: Int = 1, only ids: [UInt64]? = nil) throws {
        for _ in 0..<count {
            for node in nodes where ids?.contains(node.id.rawValue) ?? true { try node.core.tick() }
            try stabilize()
        }
    }

    /// Makes `raw` campaign and runs the election to completion.
    func elect(_ raw: UInt64) throws {
        try core(raw).campaign()
        try stabilize()
    }

    /// Restarts `raw` from its durable storage (memory state lost).
    func restart(_ raw: UInt64) throws {
        let node = node(raw)
        node.core = try RaftCore(config: node.config, storage: node.storage)
        // The state machine comes back from its newest snapshot; the core replays the rest.
        node.applied = node.snapshots[node.storage.snapshot.index] ?? []
    }

    /// Takes a snapshot of `raw`'s state machine at `index` (applied) and compacts its log
    /// through it, as retention would.
    func compact(_ raw: UInt64, through index: UInt64) {
        let node = node(raw)
        let through = LogIndex(index)
        precondition(node.core.appliedIndex >= through, "compacting beyond what \(raw) applied")
        let state = node.applied.filter { $0.index <= through }
        node.snapshots[through] = state
        node.storage.compact(through: through)
    }

    /// Cuts `raw` off from everyone (both directions).
    func isolate(_ raw: UInt64) {
        let id = NodeID(raw)
        drop = { $0.from == id || $0.to == id }
    }

    func heal() { drop = { _ in false } }

    func appliedData(_ raw: UInt64) -> [String] {
        node(raw).applied.filter { $0.kind == .normal }.map { String(decoding: $0.data, as: UTF8.self) }
    }
}
