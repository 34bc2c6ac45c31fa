import Bytes
import LedgerModel
import Raft
import Testing
import Wire

@Suite struct WireCodecTests {
    /// Encodes, reassembles through a decoder and decodes again.
    func roundTrip(_ message: WireMessage, requestID: UInt64 = 99) throws -> WireMessage {
        let bytes = try WireSamples.encode(message, requestID: requestID)
        var decoder = FrameDecoder()
        decoder.feed(bytes)
        let frame = try #require(try decoder.next())
        #expect(frame.requestID == requestID)
        #expect(frame.opcode == message.opcode)
        #expect(frame.flags == message.flags)
        #expect(WireCodec.frame(for: message, requestID: requestID) == frame)
        return try WireCodec.decode(frame)
    }

    @Test(arguments: 0..<8) func everyRaftBodyRoundTrips(body: Int) throws {
        let seed = UInt64(1000 + body)
        var samples = WireSamples(seed: seed)
        for _ in 0..<50 {
            let message = samples.raftMessage(body)
            #expect(try roundTrip(.raft(message)) == .raft(message), "seed \(seed)")
            let payload = {
                var w = ByteWriter(); RaftMessageCodec.encode(message, into: &w); return w.bytes
            }()
            let opcode = RaftMessageCodec.opcode(for: message.body)
            #expect(try RaftMessageCodec.decode(opcode: opcode, payload: payload) == message, "seed \(seed)")
        }
    }

    @Test(arguments: 0..<WireSamples.wireMessageShapes) func everyMessageShapeRoundTrips(shape: Int) throws {
        let seed = UInt64(2000 + shape)
        var samples = WireSamples(seed: seed)
        for _ in 0..<50 {
            let message = samples.wireMessage(shape)
            #expect(try roundTrip(message) == message, "seed \(seed)")
        }
    }

    @Test func heartbeatLayout() throws {
        let message = Message(
            from: NodeID(1), to: NodeID(2), term: Term(3),
            body: .heartbeat(Heartbeat(commit: LogIndex(4), readSequence: 5)))
        let bytes = try WireSamples.encode(.raft(message), requestID: 0)
        let header: [UInt8] = [0, 0, 0, 52, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 2]
        let fields: [UInt64] = [1, 2, 3, 4, 5]
        let payload = fields.flatMap { value in (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        }
        #expect(bytes == header + payload)
    }

    @Test func appendWithEntriesRoundTripsExactly() throws {
        let entries = [
            Entry(index: LogIndex(11), term: Term(2), kind: .noop, data: []),
            Entry(index: LogIndex(12), term: Term(2), data: Array("hello".utf8)),
            Entry(index: LogIndex(13), term: Term(3), data: Array(repeating: 0xFF, count: 70_000)),
        ]
        let message = Message(
            from: NodeID(128), to: NodeID(130), term: Term(3),
            body: .append(
                AppendRequest(prevIndex: LogIndex(10), prevTerm: Term(1), entries: entries, commit: LogIndex(9))))
        #expect(try roundTrip(.raft(message)) == .raft(message))
    }

    @Test func aSnapshotPieceAndItsReceiptRoundTrip() throws {
        let piece = SnapshotChunk(
            from: NodeID(1), to: NodeID(2), term: Term(4),
            snapshot: SnapshotMetadata(index: LogIndex(90), term: Term(3)),
            totalBytes: 10, checksum: 0xDEAD_BEEF, offset: 4, data: [1, 2, 3])
        #expect(try roundTrip(.snapshotChunk(piece)) == .snapshotChunk(piece))
        let receipt = SnapshotChunk.receipt(for: piece, holding: 7)
        #expect(receipt.isReceipt && receipt.from == NodeID(2) && receipt.to == NodeID(1) && receipt.offset == 7)
        #expect(try roundTrip(.snapshotChunk(receipt)) == .snapshotChunk(receipt))
        // A receipt may not claim more than the snapshot holds.
        var overclaim = receipt
        overclaim.offset = 11
        #expect(throws: (any Error).self) { try roundTrip(.snapshotChunk(overclaim)) }
    }

    @Test func raftOpcodesMustBeOneWay() throws {
        var frame = WireCodec.frame(
            for: .raft(Message(from: NodeID(1), to: NodeID(2), term: Term(1), body: .timeoutNow)), requestID: 0)
        frame.flags = .response
        let error = WireError.unexpectedFlags(opcode: .raftTimeoutNow, flags: .response, offset: 15)
        #expect(throws: error) { try WireCodec.decode(frame) }
        #expect(error.description == "opcode 7 (raftTimeoutNow) does not allow flags [response] at byte 15")
    }

    @Test func peerProofIsOneWayOnly() throws {
        let proof = WireMessage.peerProof(PeerProof(code: [UInt8](repeating: 9, count: 32)))
        #expect(try roundTrip(proof) == proof)
        #expect(Opcode.peerProof.isOneWayOnly && Opcode.peerProof.isKnown && !Opcode.peerProof.isRaft)
        for flags: FrameFlags in [[], .response, [.response, .error]] {
            var frame = WireCodec.frame(for: proof, requestID: 0)
            frame.flags = flags
            #expect(throws: WireError.unexpectedFlags(opcode: .peerProof, flags: flags, offset: 15)) {
                try WireCodec.decode(frame)
            }
        }
        let tooLong = Frame(
            opcode: .peerProof, requestID: 0, flags: .oneWay, payload: [0, 0, 0, 65] + [UInt8](repeating: 0, count: 65))
        #expect(throws: WireError.malformed(.lengthOverLimit(field: "proof", offset: 16, length: 65, limit: 64))) {
            try WireCodec.decode(tooLong)
        }
    }

    /// A handshake of the previous layout (no nonce) does not decode: old and new nodes do not
    /// interoperate, and the new node refuses the old one instead of accepting it unauthenticated.
    @Test func aHandshakeWithoutANonceIsMalformed() {
        var writer = ByteWriter()
        writer.writeString("ledger")
        writer.writeUInt64(2)
        writer.writeString("n2")
        let old = Frame(opcode: .handshake, requestID: 1, flags: [], payload: writer.bytes)
        #expect(throws: WireError.malformed(.truncated(field: "nonce", offset: 40, needed: 4, available: 0))) {
            try WireCodec.decode(old)
        }
    }

    @Test func requestFlagsMustBeAValidCombination() {
        let frame = Frame(opcode: .status, requestID: 1, flags: [.error], payload: [])
        #expect(throws: WireError.unexpectedFlags(opcode: .status, flags: .error, offset: 15)) {
            try WireCodec.decode(frame)
        }
    }

    @Test func unknownOpcodeIsReportedButCanBeRefused() throws {
        let request = Frame(opcode: Opcode(rawValue: 999), requestID: 5, flags: [], payload: [1, 2])
        let error = WireError.unknownOpcode(999, offset: 5)
        #expect(throws: error) { try WireCodec.decode(request) }
        #expect(error.description == "unknown opcode 999 at byte 5")
        // The server can still answer it, and the client can read the answer.
        let refusal = WireMessage.errorResponse(
            ErrorResponse(code: .badRequest, message: "unknown opcode 999"), answering: request.opcode)
        #expect(try roundTrip(refusal, requestID: 5) == refusal)
    }

    @Test func payloadErrorsCountFromTheFrameStart() {
        // A get request whose index is cut short: the payload starts at byte 16.
        let frame = Frame(opcode: .get, requestID: 1, flags: [], payload: [0, 0, 0])
        #expect(throws: WireError.malformed(.truncated(field: "index", offset: 16, needed: 8, available: 3))) {
            try WireCodec.decode(frame)
        }
        let long = Frame(opcode: .status, requestID: 1, flags: [], payload: [0])
        #expect(throws: WireError.malformed(.trailingBytes(offset: 16, count: 1))) { try WireCodec.decode(long) }
    }

    @Test func aDiskUseOverOneHundredPercentIsRejected() throws {
        var samples = WireSamples(seed: 3)
        guard case .statusResponse(var status) = samples.wireMessage(4) else {
            Issue.record("shape 4 is a status"); return
        }
        status.diskUsedBasisPoints = 10_000
        var payload = status.encoded()
        #expect(try StatusResponse(payload: payload).diskUsedRatio == 1)
        payload[payload.count - 2] = 0x27
        payload[payload.count - 1] = 0x11  // 10001
        #expect(throws: DecodeError.self) { try StatusResponse(payload: payload) }
    }

    @Test func unknownRoleAndErrorCodeAreRejected() throws {
        var samples = WireSamples(seed: 3)
        guard case .statusResponse(let status) = samples.wireMessage(4) else {
            Issue.record("shape 4 is a status"); return
        }
        var payload = status.encoded()
        let roleAt = 4 + status.group.utf8.count + 8 + 4 + status.nodeName.utf8.count
        payload[roleAt] = 9
        #expect(throws: DecodeError.unknownEnumValue(field: "role", value: 9, offset: roleAt)) {
            try StatusResponse(payload: payload)
        }
        #expect(throws: DecodeError.unknownEnumValue(field: "error code", value: 10, offset: 0)) {
            try ErrorResponse(payload: [0, 10, 0, 0, 0, 0])
        }
        #expect(try ErrorResponse(payload: [0, 8, 0, 0, 0, 0]).code == .noPermission)
    }

    @Test func errorMessagesAreCutOnACharacterBoundary() throws {
        let long = String(repeating: "é", count: 600)  // 1,200 bytes
        let response = ErrorResponse(code: .internal, message: long)
        #expect(response.message.utf8.count == 1024)
        #expect(response.message == String(repeating: "é", count: 512))
        #expect(try ErrorResponse(payload: response.encoded()) == response)
        let notLeader = ErrorResponse(
            code: .notLeader(leader: NodeID(1), leaderAddress: "127.0.0.1:40912"), message: "retry there")
        #expect(notLeader.description == "not leader (leader 1 at 127.0.0.1:40912): retry there")
    }

    @Test func fieldLimitsApplyToDecodedMessages() throws {
        var limits = WireLimits()
        limits.maxEntriesPerMessage = 2
        limits.maxStringBytes = 8
        let entries = (1...3).map { Entry(index: LogIndex(UInt64($0)), term: Term(1), data: []) }
        let append = WireCodec.frame(
            for: .raft(
                Message(
                    from: NodeID(0), to: NodeID(1), term: Term(1),
                    body: .append(AppendRequest(prevIndex: .zero, prevTerm: .zero, entries: entries, commit: .zero)))),
            requestID: 0)
        // Header 16 + from, to, term 24 + prevIndex, prevTerm, commit 24: the count sits at byte 64.
        #expect(throws: WireError.malformed(.lengthOverLimit(field: "entry count", offset: 64, length: 3, limit: 2))) {
            try WireCodec.decode(append, limits: limits)
        }
        let handshake = WireCodec.frame(
            for: .handshakeRequest(
                PeerHandshake(
                    group: "a-long-group", nodeID: NodeID(0), nodeName: "n0", nonce: [UInt8](repeating: 1, count: 32))),
            requestID: 1)
        #expect(throws: WireError.malformed(.lengthOverLimit(field: "group", offset: 16, length: 12, limit: 8))) {
            try WireCodec.decode(handshake, limits: limits)
        }
    }

    @Test func theSmallestMessagesDecode() throws {
        // A one-letter topic and body take 32 bytes: the count check must not ask for more.
        for message in [
            ProducerMessage(topic: "T", body: Array("x".utf8)), ProducerMessage(topic: "", body: []),
        ] {
            let send = WireMessage.sendRequest(SendRequest(messages: [message]))
            #expect(try WireCodec.decode(WireCodec.frame(for: send, requestID: 1)) == send)
        }
    }

    @Test func decoderGivesBackStorageAfterALargeFrame() throws {
        let large = try WireSamples.encode(
            .appendRequest(ClientAppendRequest(data: Array(repeating: 1, count: 3 << 20))), requestID: 1)
        var decoder = FrameDecoder()
        var cursor = 0
        while cursor < large.count {
            let end = min(large.count, cursor + 65_536)
            decoder.feed(large[cursor..<end])
            cursor = end
            if let frame = try decoder.next() { #expect(frame.payload.count == 4 + (3 << 20)) }
        }
        #expect(decoder.bufferedByteCount == 0)
        #expect(decoder.bufferCapacity <= 1 << 20)
    }
}
