import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import Synchronization

/// What producers and consumers do during a chaos run, and what the checker makes of the nodes
/// afterwards. Implementations record every operation, read and offset observation in the
/// ``ChaosRecorder``; they never decide whether the run passed (``ChaosChecker`` does).
protocol ChaosWorkload: Sendable {
    /// `raw-append` or `messages`, for the report.
    var name: String { get }
    /// How many producer and consumer threads the run starts (numbered from 0 each).
    var producers: Int { get }
    var consumers: Int { get }
    /// Whether the store goes on moving the workload's messages by itself after the load stops
    /// (delayed, sent back, half messages): the runner then waits for them to move on before it
    /// reads the final state.
    var holdsMessages: Bool { get }
    /// Writes until `recorder.isStopping`; sequential: one operation at a time, numbered from 1.
    func produce(producer: Int, context: ChaosContext)
    /// Reads until `recorder.isStopping`, recording what it read.
    func consume(consumer: Int, context: ChaosContext)
    /// What the checker compares of one node after the heal, from what that node alone returned
    /// (``ChaosFinalState/read(_:configuration:)``).
    func contents(of node: ChaosNodeState) throws(HarnessError) -> ChaosNodeContents
    /// What the leader serves through its own queries, to compare with the nodes' logs; nil when
    /// the workload has no such queries.
    func served(by client: LedgerClient) throws(HarnessError) -> ChaosNodeContents?
}

/// What every producer and consumer thread shares.
struct ChaosContext: Sendable {
    let peers: [Peer]
    let recorder: ChaosRecorder
    /// The pause a producer aims for between the starts of two operations.
    let operationInterval: Duration
    /// The seed of this worker's own choices (which node to read from next).
    let seed: UInt64
    /// The account every request is signed with, for a group with `aclEnable=true`.
    var credentials: AccessCredentials? = nil
}

/// The run's shared, lock-protected record: operations, reads, offset observations,
/// send-backs, leader sightings, the leader currently believed, and the stop flag.
final class ChaosRecorder: Sendable {
    let start: ContinuousClock.Instant
    private let operations = Mutex<[ChaosOperation]>([])
    private let reads = Mutex<[ChaosRead]>([])
    private let offsets = Mutex<[ChaosOffsetObservation]>([])
    private let sendBacks = Mutex<[ChaosSendBack]>([])
    private let sightings = Mutex<[ChaosLeaderSighting]>([])
    private let fullDisks = Mutex<[ChaosFullDiskSighting]>([])
    private let leader = Mutex<(peer: Peer, term: UInt64)?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)

    init(start: ContinuousClock.Instant = ContinuousClock().now) { self.start = start }

    /// Time since the run started.
    var elapsed: Duration { start.duration(to: ContinuousClock().now) }

    func record(_ operation: ChaosOperation) { operations.withLock { $0.append(operation) } }
    func record(_ read: ChaosRead) { reads.withLock { $0.append(read) } }
    func record(_ observation: ChaosOffsetObservation) { offsets.withLock { $0.append(observation) } }
    func record(_ sendBack: ChaosSendBack) { sendBacks.withLock { $0.append(sendBack) } }

    /// Notes that `peer` said it leads `term`; the first sighting of each (term, node) is kept,
    /// and the highest-term leader becomes the one producers try first.
    func sawLeader(_ peer: Peer, term: UInt64) {
        let at = elapsed
        sightings.withLock { list in
            if !list.contains(where: { $0.term == term && $0.node == peer.name }) {
                list.append(ChaosLeaderSighting(term: term, node: peer.name, at: at))
            }
        }
        leader.withLock { current in
            if let known = current, known.term > term { return }
            current = (peer, term)
        }
    }

    /// Notes that `peer` said its disk takes no writes (`writable: false`); one sighting per
    /// node per second is kept.
    func sawFullDisk(_ peer: Peer) {
        let at = elapsed
        fullDisks.withLock { list in
            if let last = list.last(where: { $0.node == peer.name }), at - last.at < .seconds(1) { return }
            list.append(ChaosFullDiskSighting(node: peer.name, at: at))
        }
    }

    /// The leader most recently seen at the highest term, and that term, if any.
    var currentLeader: (peer: Peer, term: UInt64)? { leader.withLock { $0 } }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }
    func stop() { stopping.store(true, ordering: .releasing) }

    /// Worker threads call these around their loop so the runner can wait for them.
    func workerStarted() { running.add(1, ordering: .acquiringAndReleasing) }
    func workerFinished() { running.subtract(1, ordering: .acquiringAndReleasing) }
    var runningWorkers: Int { running.load(ordering: .acquiring) }

    var recordedOperations: [ChaosOperation] { operations.withLock { $0 } }
    /// How many operations were recorded so far, and those recorded from the `first`th on.
    var operationCount: Int { operations.withLock { $0.count } }
    func recordedOperations(from first: Int) -> [ChaosOperation] { operations.withLock { Array($0[first...]) } }
    /// Forgets the reads `isGone` says no final log can hold any more (a long run's memory).
    func forgetReads(where isGone: (ChaosRead) -> Bool) { reads.withLock { $0.removeAll(where: isGone) } }
    var recordedReads: [ChaosRead] { reads.withLock { $0 } }
    var recordedOffsets: [ChaosOffsetObservation] { offsets.withLock { $0 } }
    var recordedSendBacks: [ChaosSendBack] { sendBacks.withLock { $0 } }
    var recordedSightings: [ChaosLeaderSighting] { sightings.withLock { $0 } }
    var recordedFullDisks: [ChaosFullDiskSighting] { fullDisks.withLock { $0 } }
}

/// A node seen reporting that its disk takes no writes (`ledger status`'s `writable: false`).
struct ChaosFullDiskSighting: Sendable, Hashable {
    var node: String
    /// Since the run started.
    var at: Duration
}
