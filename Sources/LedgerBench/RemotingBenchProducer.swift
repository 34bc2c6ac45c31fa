import Bytes
import LedgerCLI
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Remoting

/// A producer for `ledger bench --remoting`: one RocketMQ remoting connection to the leader's
/// broker port (`listenPort`), driven by one thread, keeping up to `inflight` SEND_MESSAGE_V2
/// (310) requests outstanding, as a RocketMQ producer sending asynchronously does. Raw frames:
/// a JSON header with the V2 field letters, each message with its own `UNIQ_KEY` (as every
/// RocketMQ client stamps it, so the store's idempotence table works as it does for them), the
/// queues taken in turn. Answers are matched by `opaque`.
///
/// The leader is found with our own protocol and its broker address read from `remotingPeers`.
/// A request unanswered after `timeout`, a lost connection or an error answer counts as one
/// error per message; SERVICE_NOT_AVAILABLE (the node stopped leading) makes it find the leader
/// again, as a RocketMQ client re-routes.
final class RemotingBenchProducer: LoadProducer {
    private let topic: String
    private let body: [UInt8]
    private let peers: [Peer]
    /// Each member's broker address, by node id.
    private let brokers: [NodeID: Peer]
    private let inflight: Int
    private let timeout: Duration
    /// This producer's unique keys are `<keyPrefix>-<n>`: the prefix makes them unique among
    /// the bench's producers, its slices and its runs (a repeated key is a retry to the store).
    private let keyPrefix: String
    private let clock = ContinuousClock()

    private var socket: Socket?
    private var decoder = RemotingFrameDecoder()
    private var readBuffer = [UInt8](repeating: 0, count: 256 << 10)
    /// Sent and unanswered requests' send times, by opaque. Request `n` (counting from 1) has
    /// opaque `n` truncated to 32 bits.
    private var outstanding: [Int32: ContinuousClock.Instant] = [:]
    private var sent: UInt64 = 0
    /// The oldest request that may still be outstanding (answers come roughly in order).
    private var oldestRequest: UInt64 = 1
    private var result = ProducerResult()
    /// No more requests on this connection: the node answered that it does not lead.
    private var draining = false

    /// Queues a new topic gets from the header's `d` (the C++ clients' value).
    static let queueCount: Int32 = 4

    init(
        topic: String, size: Int, peers: [Peer], brokers: [Peer], inflight: Int, timeout: Duration,
        keyPrefix: String
    ) {
        precondition(inflight > 0, "a producer needs at least one request in flight")
        self.topic = topic
        body = [UInt8](repeating: UInt8(ascii: "m"), count: size)
        self.peers = peers
        self.brokers = Dictionary(brokers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.inflight = inflight
        self.timeout = timeout
        self.keyPrefix = keyPrefix
    }

    deinit { socket?.close() }

    func connect(deadline: ContinuousClock.Instant) throws(LedgerClientError) {
        while true {
            do throws(LedgerClientError) {
                try open(deadline: deadline)
                return
            } catch {
                if clock.now.duration(to: deadline) < .milliseconds(100) { throw error }
                pause(.milliseconds(20))
            }
        }
    }

    func run(sendUntil: ContinuousClock.Instant) -> ProducerResult {
        while true {
            let now = clock.now
            let sending = now < sendUntil
            if !sending && outstanding.isEmpty { break }
            guard let socket else {
                guard sending else { break }
                do throws(LedgerClientError) {
                    try open(deadline: sendUntil)
                } catch {
                    result.firstError = result.firstError ?? error.description
                    pause(.milliseconds(20))
                }
                continue
            }
            if draining && outstanding.isEmpty {
                disconnect()
                continue
            }
            do {
                if sending && !draining && outstanding.count < inflight {
                    var frames: [UInt8] = []
                    while outstanding.count < inflight { appendRequest(to: &frames, at: now) }
                    try socket.writeAll(frames)
                }
                if let oldest = oldestOutstanding, oldest.duration(to: now) > timeout {
                    fail("no answer within \(timeout.millisecondsText) ms")
                    continue
                }
                guard try socket.waitUntil(writable: false, timeoutMs: 10) else { continue }
                switch try socket.read(into: &readBuffer, at: 0) {
                case .bytes(let count): decoder.feed(readBuffer[..<count])
                case .wouldBlock: continue
                case .closed:
                    fail("the node closed the connection")
                    continue
                }
                let answered = clock.now
                while let frame = try decoder.next() { settle(try RemotingCommand(frame), at: answered) }
            } catch {
                // A socket error, or a frame that does not decode: the connection is unusable.
                fail("\(error)")
            }
        }
        disconnect()
        return result
    }

    /// When the oldest unanswered request was sent, found without scanning them all.
    private var oldestOutstanding: ContinuousClock.Instant? {
        while oldestRequest <= sent {
            if let sentAt = outstanding[Int32(truncatingIfNeeded: oldestRequest)] { return sentAt }
            oldestRequest += 1
        }
        return nil
    }

    private func appendRequest(to frames: inout [UInt8], at now: ContinuousClock.Instant) {
        sent += 1
        let opaque = Int32(truncatingIfNeeded: sent)
        let key = "\(keyPrefix)-\(sent)"
        let header = SendMessageRequestHeader(
            producerGroup: "BenchProducer", topic: topic, defaultTopicQueueNums: Self.queueCount,
            queueID: Int32(sent % UInt64(Self.queueCount)), bornTimestamp: WallClock.nowMilliseconds(),
            properties: [.init(MessageProperty.uniqueKey, key), .init("WAIT", "true")])
        do {
            // The bytes of a RemotingCommand with header.extFields(v2: true), written directly.
            try header.encodeRequest(
                code: RequestCode.sendMessageV2.rawValue, v2: true, version: 401, opaque: opaque, body: body[...],
                into: &frames)
        } catch {
            preconditionFailure("cannot encode a bench send: \(error)")
        }
        outstanding[opaque] = now
    }

    private func settle(_ answer: RemotingCommand, at now: ContinuousClock.Instant) {
        guard answer.isResponse, let sentAt = outstanding.removeValue(forKey: answer.opaque) else { return }
        switch answer.responseCode {
        case .success:
            result.messages += 1
            result.latency.record(UInt64(sentAt.duration(to: now).nanoseconds))
            result.lastAcknowledgement = now
        case let code:
            result.errors += 1
            result.firstError = result.firstError ?? "\(code): \(answer.remark ?? "")"
            if code == .serviceNotAvailable { draining = true }
        }
    }

    private func fail(_ reason: String) {
        result.firstError = result.firstError ?? reason
        result.errors += outstanding.count
        outstanding.removeAll()
        disconnect()
    }

    private func disconnect() {
        socket?.close()
        socket = nil
        decoder = RemotingFrameDecoder()
        draining = false
    }

    /// Connects to the broker port of the node that leads now.
    private func open(deadline: ContinuousClock.Instant) throws(LedgerClientError) {
        let left = clock.now.duration(to: deadline)
        guard left > .milliseconds(1) else { throw .noQuorum("no time left to find a leader") }
        let client = LedgerClient(
            peers: peers, options: LedgerClientOptions(timeout: left, nodeTimeout: min(left, .seconds(1))))
        defer { client.close() }
        let leader = try client.findLeader().peer
        guard let broker = brokers[leader.id] else {
            throw .unreachable(node: leader.name, address: leader.address, reason: "no remoting address for it")
        }
        do {
            let address = SocketAddress(host: broker.host, port: broker.port)
            socket = try Socket.connect(to: address, nonBlocking: false).socket
            try socket?.setNoDelay()
        } catch {
            throw .unreachable(node: leader.name, address: broker.address, reason: error.description)
        }
    }
}
