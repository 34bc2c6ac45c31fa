// bench-remoting: the CPU cost of one message on the RocketMQ front end's send path, without
// sockets or the node core, for a repeatable instruction count under
// `valgrind --tool=callgrind`. Each message is a SEND_MESSAGE_V2 (310) with a 1 KiB body built
// and encoded as `ledger bench --remoting`'s producer builds it (`producerSide`), cut from a
// stream, decoded and translated into the core's send as the broker port does, then answered
// and the answer encoded as the broker port encodes it (`brokerSide`), and the answer decoded
// by the producer again.
// `--dump FILE` writes the first turn's requests and answers (64 of each) to FILE, to compare
// the bytes two builds put on the wire.
// Usage: swift run -c release bench-remoting [--messages N] [--dump FILE]
import Bytes
import Glibc
import LedgerModel
import Remoting

func fail(_ message: String) -> Never {
    let text = "bench-remoting: \(message)\nusage: bench-remoting [--messages N] [--dump FILE]\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

var messages = 100_000
var dumpPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { fail("missing value for \(flag)") }
    switch flag {
    case "--messages":
        guard let count = Int(value), count > 0 else { fail("--messages wants a positive integer, got \(value)") }
        messages = count
    case "--dump": dumpPath = value
    default: fail("unknown option \(flag)")
    }
}

let body = [UInt8](repeating: UInt8(ascii: "m"), count: 1024)
let bornHost = HostAddress(ipv4: 127, 0, 0, 1, port: 40_000)
let storeHost = HostAddress(ipv4: 127, 0, 0, 1, port: 30_911)

/// The producer's request for message `number`, appended to `frames`.
@inline(never)
func producerSide(_ number: Int, into frames: inout [UInt8]) {
    let header = SendMessageRequestHeader(
        producerGroup: "BenchProducer", topic: "bench", defaultTopicQueueNums: 4, queueID: Int32(number % 4),
        bornTimestamp: 1_700_000_000_000 + Int64(number),
        properties: [.init(MessageProperty.uniqueKey, "B0-\(number)"), .init("WAIT", "true")])
    do {
        try header.encodeRequest(
            code: RequestCode.sendMessageV2.rawValue, v2: true, version: 401, opaque: Int32(truncatingIfNeeded: number),
            body: body[...], into: &frames)
    } catch {
        fail("cannot encode a send: \(error)")
    }
}

/// The broker port's work for every request in `frames`: decode, translate, answer, encode.
@inline(never)
func brokerSide(_ frames: [UInt8], decoder: inout RemotingFrameDecoder, into outbound: inout [UInt8]) -> Int {
    decoder.feed(frames[...])
    var stored = 0
    do {
        while let frame = try decoder.next() {
            let command = try RemotingCommand(frame, limits: decoder.limits)
            guard case .send(let send) = try BrokerRequest(command, bornHost: bornHost) else { fail("not a send") }
            stored += send.messages.count
            var header = command
            header.body = []
            let result = SendResult(
                queue: MessageQueue(topic: "bench", queueID: header.opaque & 3),
                queueOffset: QueueOffset(Int64(stored)),
                physicalOffset: PhysicalOffset(Int64(stored) * 1200),
                messageID: MessageID.make(storeHost: storeHost, physicalOffset: PhysicalOffset(Int64(stored) * 1200)),
                storeTimestamp: 1_700_000_000_000)
            try RemotingCommand.encodeSendResponse(
                SendResponse(results: [result], duplicate: false), to: header, into: &outbound)
        }
    } catch {
        fail("the broker side failed: \(error)")
    }
    return stored
}

/// The producer's reading of the answers in `answers`.
@inline(never)
func producerReads(_ answers: [UInt8], decoder: inout RemotingFrameDecoder) -> Int {
    decoder.feed(answers[...])
    var successes = 0
    do {
        while let frame = try decoder.next() {
            let answer = try RemotingCommand(frame)
            if answer.isResponse && answer.responseCode == .success { successes += 1 }
        }
    } catch {
        fail("an answer does not decode: \(error)")
    }
    return successes
}

var brokerDecoder = RemotingFrameDecoder()
var producerDecoder = RemotingFrameDecoder()
var frames: [UInt8] = []
var outbound: [UInt8] = []
var stored = 0
var acknowledged = 0
let perTurn = 64
for start in stride(from: 0, to: messages, by: perTurn) {
    frames.removeAll(keepingCapacity: true)
    outbound.removeAll(keepingCapacity: true)
    for number in start..<min(messages, start + perTurn) { producerSide(number, into: &frames) }
    stored += brokerSide(frames, decoder: &brokerDecoder, into: &outbound)
    acknowledged += producerReads(outbound, decoder: &producerDecoder)
    if start == 0, let dumpPath {
        let bytes = frames + outbound
        guard let file = fopen(dumpPath, "w"), fwrite(bytes, 1, bytes.count, file) == bytes.count, fclose(file) == 0
        else { fail("cannot write \(dumpPath)") }
    }
}
guard stored == messages, acknowledged == messages else { fail("\(stored) stored, \(acknowledged) acknowledged") }
print("bench-remoting: \(messages) messages sent, translated and acknowledged")
