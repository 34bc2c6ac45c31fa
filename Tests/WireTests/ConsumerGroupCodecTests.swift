import Bytes
import LedgerModel
import Testing
import Wire

/// The consumer-group payloads (opcodes 56–61): their layout, and the values a decoder refuses.
@Suite struct ConsumerGroupCodecTests {
    static func string(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [0, 0, 0, UInt8(bytes.count)] + bytes
    }

    @Test func heartbeatLayout() throws {
        let heartbeat = WireMessage.consumerGroupRequest(
            .heartbeat(
                ConsumerHeartbeat(
                    clientID: "c", group: "G", subscriptions: [ConsumerSubscription(topic: "T", expression: "*")])))
        let frame = WireCodec.frame(for: heartbeat, requestID: 7)
        #expect(frame.opcode == .consumerHeartbeat && frame.opcode.rawValue == 56 && frame.flags == [])
        #expect(
            frame.payload == Self.string("c") + Self.string("G") + [0, 0, 0, 1] + Self.string("T") + Self.string("*"))
        #expect(try WireCodec.decode(frame) == heartbeat)
    }

    @Test func eachKindHasItsOpcodeAndRoundTrips() throws {
        let queues = [MessageQueue(topic: "T", queueID: 0), MessageQueue(topic: "T", queueID: 3)]
        let lock = QueueLockRequest(clientID: "c", group: "G", queues: queues)
        let report = ConsumerGroupsReport(
            groups: [
                ConsumerGroupSummary(
                    group: "G",
                    members: [ConsumerMember(clientID: "c", address: "127.0.0.1:5", lastHeartbeatAgeMs: 12)],
                    subscriptions: [ConsumerSubscription(topic: "T", expression: "A || B")],
                    progress: [
                        ConsumerProgress(
                            group: "G", queue: queues[1], committedOffset: QueueOffset(2), maxOffset: QueueOffset(9))
                    ])
            ], truncated: true)
        let pairs: [(ConsumerGroupRequest, ConsumerGroupResponse, UInt16)] = [
            (.heartbeat(ConsumerHeartbeat(clientID: "c", group: "G", subscriptions: [])), .heartbeat, 56),
            (.members(group: "G"), .members(["a", "c"]), 57),
            (.unregister(clientID: "c", group: "G"), .unregister, 58),
            (.lock(lock), .lock([queues[1]]), 59),
            (.unlock(lock), .unlock, 60),
            (.groups(group: nil), .groups(report), 61),
            (.groups(group: "G"), .groups(ConsumerGroupsReport(groups: [], truncated: false)), 61),
        ]
        for (request, response, opcode) in pairs {
            #expect(request.opcode.rawValue == opcode && response.opcode.rawValue == opcode)
            #expect(Opcode(rawValue: opcode).isKnown)
            for message in [WireMessage.consumerGroupRequest(request), .consumerGroupResponse(response)] {
                #expect(try WireCodec.decode(WireCodec.frame(for: message, requestID: 1)) == message)
            }
        }
        #expect(report.groups[0].totalLag == 7)
        let refusal = WireMessage.errorResponse(
            ErrorResponse(code: .notLeader(leader: nil, leaderAddress: nil), message: "n1 does not lead"),
            answering: .lockQueues)
        #expect(try WireCodec.decode(WireCodec.frame(for: refusal, requestID: 2)) == refusal)
    }

    @Test func emptyNamesAndNegativeQueuesAreRefusedWithTheirOffsets() throws {
        let header = 16
        let emptyClient = Frame(
            opcode: .consumerHeartbeat, requestID: 1, flags: [],
            payload: Self.string("") + Self.string("G") + [0, 0, 0, 0])
        #expect(
            throws: WireError.malformed(.invalidValue(field: "clientId", offset: header, reason: "empty"))
        ) { try WireCodec.decode(emptyClient) }
        let emptyGroup = Frame(opcode: .consumerMembers, requestID: 1, flags: [], payload: Self.string(""))
        #expect(
            throws: WireError.malformed(.invalidValue(field: "group", offset: header, reason: "empty"))
        ) { try WireCodec.decode(emptyGroup) }
        let negative = Frame(
            opcode: .lockQueues, requestID: 1, flags: [],
            payload: Self.string("c") + Self.string("G") + [0, 0, 0, 1] + Self.string("T") + [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(
            throws: WireError.malformed(.invalidValue(field: "queueId", offset: header + 19, reason: "-1 is negative"))
        ) { try WireCodec.decode(negative) }
        let trailing = Frame(
            opcode: .unregisterConsumer, requestID: 1, flags: [], payload: Self.string("c") + Self.string("G") + [0])
        #expect(throws: WireError.self) { try WireCodec.decode(trailing) }
    }
}
