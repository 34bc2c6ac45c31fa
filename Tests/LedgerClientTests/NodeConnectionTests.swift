import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Testing
import Wire

/// ``NodeConnection``'s pipelining: many requests in flight on one socket, answers matched by
/// request id.
@Suite struct NodeConnectionTests {
    /// A node that answers an append with the index its data names (one byte), or not at all
    /// when that byte is odd.
    static func evenAnsweringNode() throws -> FakeNode {
        try FakeNode(id: 0) { request in
            guard case .appendRequest(let append) = request, let number = append.data.first else { return nil }
            return number % 2 == 0 ? .appendResponse(ClientAppendResponse(index: LogIndex(UInt64(number)))) : nil
        }
    }

    /// Waits for answers until `count` arrived or a second passed; returns them in arrival order.
    static func responses(_ count: Int, on connection: NodeConnection) throws -> [NodeResponse] {
        var responses: [NodeResponse] = []
        let deadline = ContinuousClock().now + .seconds(1)
        while responses.count < count && ContinuousClock().now < deadline {
            try connection.flush()
            try connection.waitForResponses(timeout: .milliseconds(10))
            while let response = try connection.nextResponse() { responses.append(response) }
        }
        return responses
    }

    @Test func keepsManyRequestsInFlightAndMatchesAnswersByRequestID() throws {
        let node = try Self.evenAnsweringNode()
        defer { node.stop() }
        let connection = try NodeConnection.open(to: node.peer, deadline: ContinuousClock().now + .seconds(1))
        defer { connection.close() }

        var sent: [UInt64: UInt8] = [:]
        for number in UInt8(0)..<64 {
            sent[try connection.enqueue(.appendRequest(ClientAppendRequest(data: [number])))] = number
        }
        #expect(sent.keys.sorted() == Array(1...64), "request ids are 1, 2, 3, ... in enqueue order")
        #expect(connection.inFlight == 64 && connection.hasUnsentBytes)

        let responses = try Self.responses(32, on: connection)
        #expect(responses.count == 32)
        for response in responses {
            guard case .appendResponse(let answer) = response.message, let number = sent[response.requestID] else {
                Issue.record("unexpected answer \(response)")
                continue
            }
            #expect(answer.index == LogIndex(UInt64(number)), "the answer to request \(response.requestID)")
        }
        #expect(Set(responses.map(\.requestID)).count == 32, "each answer once")
        #expect(connection.inFlight == 32, "the unanswered requests stay in flight")
        #expect(!connection.hasUnsentBytes)
    }

    @Test func anAnswerToNoRequestInFlightIsAProtocolViolation() throws {
        // Answers even a one-way message, which carries request id 0.
        let node = try FakeNode(id: 0) { request in
            if case .sendOneWay = request { return .appendResponse(ClientAppendResponse(index: LogIndex(1))) }
            return nil
        }
        defer { node.stop() }
        let connection = try NodeConnection.open(to: node.peer, deadline: ContinuousClock().now + .seconds(1))
        defer { connection.close() }
        let message = WireMessage.sendOneWay(SendRequest(messages: [ProducerMessage(topic: "T", body: [1])]))
        try connection.post(message, deadline: ContinuousClock().now + .seconds(1))
        #expect(throws: NodeConnectionError.protocolViolation("unexpected frame 33 (append) with request id 0")) {
            _ = try Self.responses(1, on: connection)
        }
    }

    @Test func oneRequestAtATimeWorksAfterPipelinedOnes() throws {
        let node = try Self.evenAnsweringNode()
        defer { node.stop() }
        let connection = try NodeConnection.open(to: node.peer, deadline: ContinuousClock().now + .seconds(1))
        defer { connection.close() }
        for number in UInt8(0)..<4 {
            _ = try connection.enqueue(.appendRequest(ClientAppendRequest(data: [number * 2])))
        }
        #expect(try Self.responses(4, on: connection).count == 4)
        let answer = try connection.request(
            .appendRequest(ClientAppendRequest(data: [10])), deadline: ContinuousClock().now + .seconds(1))
        #expect(answer == .appendResponse(ClientAppendResponse(index: LogIndex(10))))
    }
}
