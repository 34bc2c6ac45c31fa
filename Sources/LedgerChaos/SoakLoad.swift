import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Synchronization

/// One acknowledged send of the soak, as the final checks need it.
struct SoakAck: Sendable, Hashable {
    var queueID: Int32
    var queueOffset: QueueOffset
    var physicalOffset: PhysicalOffset
    /// The store time the leader stamped, in ms since the epoch: retention expires by it.
    var storeTimestamp: Int64
    /// The message's one key, `pN-seq`.
    var key: String
}

/// The soak's steady load through ``LedgerClient``, like any application: ``producers``
/// threads each send their share of the rate synchronously, paced on a schedule (a producer
/// that falls more than a second behind skips the backlog instead of bursting), to the
/// ``queueCount`` queues of ``topic`` in turn; one consumer of group ``group`` pulls every queue
/// and commits the offsets it reached every 5 s. Acknowledged sends are kept for the final
/// checks (only those retention may not yet have expired: see ``forget(storedBefore:)``).
final class SoakLoad: Sendable {
    static let topic = "SoakTest"
    static let group = "soak-g"
    static let queueCount: Int32 = 4
    static let producers = 4

    /// What the load has done so far.
    struct Counts: Sendable, Hashable {
        var acknowledged = 0
        var failedSends = 0
        var reads = 0
        var failedReads = 0
        /// The first failure of a send or read, for the report.
        var firstFailure: String?
    }

    let peers: [Peer]
    let rate: Int
    let messageSize: Int
    private let state = Mutex<(counts: Counts, acks: [SoakAck])>((Counts(), []))
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)

    init(peers: [Peer], rate: Int, messageSize: Int) {
        self.peers = peers
        self.rate = rate
        self.messageSize = messageSize
    }

    var counts: Counts { state.withLock { $0.counts } }

    /// The acknowledged sends still kept, in acknowledgement order.
    var acks: [SoakAck] { state.withLock { $0.acks } }

    /// Starts the producers and the consumer.
    func start() {
        for producer in 0..<Self.producers {
            running.add(1, ordering: .acquiringAndReleasing)
            spawnThread(name: "soak producer \(producer)") { [self] in
                produce(producer)
                running.subtract(1, ordering: .acquiringAndReleasing)
            }
        }
        running.add(1, ordering: .acquiringAndReleasing)
        spawnThread(name: "soak consumer") { [self] in
            consume()
            running.subtract(1, ordering: .acquiringAndReleasing)
        }
    }

    /// Stops every thread after its current request and waits for them.
    func stop() {
        stopping.store(true, ordering: .releasing)
        while running.load(ordering: .acquiring) > 0 { pause(.milliseconds(10)) }
    }

    /// Drops the acknowledgements of messages stored before `milliseconds` since the epoch.
    func forget(storedBefore milliseconds: Int64) {
        state.withLock { state in
            let old = state.acks.prefix { $0.storeTimestamp < milliseconds }.count
            state.acks.removeFirst(old)
        }
    }

    private var isStopping: Bool { stopping.load(ordering: .acquiring) }

    private func failed(_ what: String, _ error: LedgerClientError, read: Bool) {
        state.withLock { state in
            if read { state.counts.failedReads += 1 } else { state.counts.failedSends += 1 }
            if state.counts.firstFailure == nil { state.counts.firstFailure = "\(what): \(error)" }
        }
    }

    private func produce(_ producer: Int) {
        let client = LedgerClient(peers: peers, options: LedgerClientOptions(timeout: .seconds(10)))
        defer { client.close() }
        let interval = Duration.nanoseconds(1_000_000_000 * Int64(Self.producers) / Int64(rate))
        let clock = ContinuousClock()
        var due = clock.now
        var sequence = 0
        while !isStopping {
            let now = clock.now
            if now < due {
                pause(min(due - now, .milliseconds(100)))
                continue
            }
            due = now - due > .seconds(1) ? now + interval : due + interval
            sequence += 1
            let key = "p\(producer)-\(sequence)"
            var body = Array("soak \(key) ".utf8)
            body += [UInt8](repeating: 0x2E, count: max(0, messageSize - body.count))
            let queueID = Int32((sequence * Self.producers + producer) % Int(Self.queueCount))
            let message = ProducerMessage(
                topic: Self.topic, target: .queue(queueID), keys: [key], body: Array(body.prefix(messageSize)))
            do {
                let result = try client.send(message)
                let ack = SoakAck(
                    queueID: result.queue.queueID, queueOffset: result.queueOffset,
                    physicalOffset: result.physicalOffset, storeTimestamp: result.storeTimestamp, key: key)
                state.withLock { state in
                    state.counts.acknowledged += 1
                    state.acks.append(ack)
                }
            } catch {
                failed("send \(key)", error, read: false)
            }
        }
    }

    private func consume() {
        let client = LedgerClient(peers: peers, options: LedgerClientOptions(timeout: .seconds(10)))
        defer { client.close() }
        // The topic exists once the first send is stored.
        while !isStopping && counts.acknowledged == 0 { pause(.milliseconds(50)) }
        var offsets = [QueueOffset](repeating: .zero, count: Int(Self.queueCount))
        let clock = ContinuousClock()
        var lastCommit = clock.now
        while !isStopping {
            var found = 0
            for queueID in 0..<Self.queueCount where !isStopping {
                do {
                    let result = try client.pull(
                        topic: Self.topic, queueID: queueID, offset: offsets[Int(queueID)], maxCount: 32)
                    // Found, nothing new, or below the queue's start after retention: go on from
                    // where the answer says.
                    offsets[Int(queueID)] = result.nextOffset
                    found += result.messages.count
                } catch {
                    failed("pull queue \(queueID)", error, read: true)
                }
            }
            state.withLock { $0.counts.reads += found }
            if clock.now - lastCommit >= .seconds(5) {
                lastCommit = clock.now
                for queueID in 0..<Self.queueCount {
                    do {
                        try client.commitOffset(
                            group: Self.group, queue: MessageQueue(topic: Self.topic, queueID: queueID),
                            offset: offsets[Int(queueID)])
                    } catch {
                        failed("commit offset of queue \(queueID)", error, read: true)
                    }
                }
            }
            if found == 0 { pause(.milliseconds(50)) }
        }
    }
}
