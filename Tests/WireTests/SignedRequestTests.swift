import Bytes
import LedgerModel
import Testing
import Wire

/// Client requests signed with an ACL account (frame flag `signed`): the account fields lead
/// the payload, the signature covers the access key, the opcode and the payload, and only client
/// requests may carry them.
@Suite struct SignedRequestTests {
    static let pull = WireMessage.pullRequest(
        PullRequest(
            queue: MessageQueue(topic: "T", queueID: 2), offset: QueueOffset(5), maxCount: 8, tagExpression: "*",
            waitMs: 0))

    @Test func aSignedRequestDecodesWithItsAccountAndContent() throws {
        var writer = ByteWriter()
        var signedContent: [UInt8] = []
        try WireCodec.encodeSigned(
            Self.pull, requestID: 9, accessKey: "ak",
            sign: { content in
                signedContent = content
                return "sig"
            }, into: &writer)
        let frame = try Frame.decode(writer.bytes)
        #expect(frame.flags == .signed && frame.opcode == .pull && frame.requestID == 9)
        let (message, signature) = try WireCodec.decodeReceived(frame)
        #expect(message == Self.pull)
        #expect(signature == RequestSignature(accessKey: "ak", signature: "sig", content: signedContent))
        // The content: string accessKey, u16 opcode, then the unsigned payload.
        let payload = WireCodec.frame(for: Self.pull, requestID: 9).payload
        #expect(signedContent == [0, 0, 0, 2] + Array("ak".utf8) + [0, 37] + payload)
        // The payload is the account fields, then the unsigned payload.
        #expect(frame.payload == [0, 0, 0, 2] + Array("ak".utf8) + [0, 0, 0, 3] + Array("sig".utf8) + payload)
    }

    @Test func unsignedFramesDecodeWithoutASignature() throws {
        let (message, signature) = try WireCodec.decodeReceived(WireCodec.frame(for: .statusRequest, requestID: 1))
        #expect(message == .statusRequest && signature == nil)
    }

    @Test func aSignedOneWaySendKeepsItsKind() throws {
        let send = WireMessage.sendOneWay(
            SendRequest(messages: [ProducerMessage(topic: "T", body: Array("x".utf8))]))
        var writer = ByteWriter()
        try WireCodec.encodeSigned(send, requestID: 0, accessKey: "ak", sign: { _ in "s" }, into: &writer)
        let frame = try Frame.decode(writer.bytes)
        #expect(frame.flags == [.oneWay, .signed])
        #expect(try WireCodec.decodeReceived(frame).message == send)
    }

    @Test func onlyClientRequestsMayBeSigned() throws {
        let response = Frame(opcode: .status, requestID: 1, flags: [.response, .signed], payload: [])
        #expect(throws: WireError.unexpectedFlags(opcode: .status, flags: [.response, .signed], offset: 15)) {
            try WireCodec.decodeReceived(response)
        }
        let handshake = Frame(opcode: .handshake, requestID: 1, flags: .signed, payload: [])
        #expect(throws: WireError.self) { try WireCodec.decodeReceived(handshake) }
        // The plain decoder (clients reading answers) never accepts the flag.
        let signedPull = Frame(opcode: .pull, requestID: 1, flags: .signed, payload: [])
        #expect(throws: WireError.unexpectedFlags(opcode: .pull, flags: .signed, offset: 15)) {
            try WireCodec.decode(signedPull)
        }
        // Missing account fields are a malformed payload.
        #expect(throws: WireError.self) { try WireCodec.decodeReceived(signedPull) }
    }
}
