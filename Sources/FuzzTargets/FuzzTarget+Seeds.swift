import Bytes
import FileIO
import LedgerModel
import LogStore
import Raft
import Remoting
import Wire

extension FuzzTarget {
    /// Valid inputs made by the real encoders, so a fuzzing run starts from the shapes the
    /// decoders accept and the committed corpus can be rewritten when a format changes
    /// (`ledger-fuzz TARGET --write-seeds DIR`).
    public func seeds() throws -> [[UInt8]] {
        switch self {
        case .wire: try FuzzTarget.wireSeeds()
        case .remoting: try FuzzTarget.remotingSeeds()
        case .json:
            [
                Array(
                    #"{"code":310,"language":"CPP","version":333,"opaque":7,"flag":0,"extFields":{"a":"b","n":12}}"#
                        .utf8)
            ]
        case .config: [Array(FuzzTarget.configSeed.utf8)]
        case .record: try FuzzTarget.recordSeeds()
        case .logStore: [try FuzzTarget.logStoreSeed()]
        case .http: [FuzzTarget.httpSeed]
        case .acl: [Array(FuzzTarget.aclSeed.utf8)]
        }
    }

    private static let born = HostAddress(ipv4: 10, 0, 0, 7, port: 50000)
    private static let stamp = StoreStamp(
        storeTimestamp: 1_700_000_000_000, storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 40911))

    private static func wireSeeds() throws -> [[UInt8]] {
        let entries = [Entry(index: LogIndex(5), term: Term(2), data: Array("hello".utf8))]
        let bodies: [Message.Body] = [
            .append(AppendRequest(prevIndex: LogIndex(4), prevTerm: Term(2), entries: entries, commit: LogIndex(3))),
            .appendResponse(AppendResponse(index: LogIndex(5))),
            .heartbeat(Heartbeat(commit: LogIndex(5), readSequence: 2)),
            .vote(VoteRequest(lastIndex: LogIndex(5), lastTerm: Term(2), preVote: true)),
            .installSnapshot(SnapshotMetadata(index: LogIndex(9), term: Term(2))),
        ]
        var seeds: [[UInt8]] = []
        for (chunk, body) in bodies.enumerated() {
            let message = WireMessage.raft(Message(from: NodeID(1), to: NodeID(2), term: Term(2), body: body))
            var writer = ByteWriter()
            writer.writeUInt8(UInt8(chunk * 7))
            try writer.writeFrame(WireCodec.frame(for: message, requestID: 0))
            try writer.writeFrame(WireCodec.frame(for: .statusRequest, requestID: 1))
            seeds.append(writer.bytes)
        }
        // Signed client requests (frame flag `signed`), as a client with an ACL account sends them.
        var signed = ByteWriter()
        signed.writeUInt8(13)
        let pull = PullRequest(
            queue: MessageQueue(topic: "TopicTest", queueID: 1), offset: QueueOffset(0), maxCount: 32,
            tagExpression: "*", waitMs: 0)
        for (requestID, message) in [WireMessage.pullRequest(pull), .topicsRequest].enumerated() {
            try WireCodec.encodeSigned(
                message, requestID: UInt64(requestID + 1), accessKey: "RocketMQ", sign: { _ in "c2lnbmF0dXJl" },
                into: &signed)
        }
        seeds.append(signed.bytes)
        // A consumer's heartbeat, lock and groups report, and their answers.
        var groups = ByteWriter()
        groups.writeUInt8(21)
        let queues = [MessageQueue(topic: "TopicTest", queueID: 0), MessageQueue(topic: "TopicTest", queueID: 3)]
        let report = ConsumerGroupsReport(
            groups: [
                ConsumerGroupSummary(
                    group: "G",
                    members: [ConsumerMember(clientID: "c@1", address: "10.0.0.7:50000", lastHeartbeatAgeMs: 9)],
                    subscriptions: [ConsumerSubscription(topic: "TopicTest", expression: "TagA || TagB")],
                    progress: [
                        ConsumerProgress(
                            group: "G", queue: queues[1], committedOffset: QueueOffset(4), maxOffset: QueueOffset(9))
                    ])
            ], truncated: false)
        let consumer: [WireMessage] = [
            .consumerGroupRequest(
                .heartbeat(
                    ConsumerHeartbeat(
                        clientID: "c@1", group: "G",
                        subscriptions: [ConsumerSubscription(topic: "TopicTest", expression: "*")]))),
            .consumerGroupRequest(.lock(QueueLockRequest(clientID: "c@1", group: "G", queues: queues))),
            .consumerGroupResponse(.lock([queues[1]])), .consumerGroupRequest(.groups(group: nil)),
            .consumerGroupResponse(.groups(report)),
        ]
        for (requestID, message) in consumer.enumerated() {
            try groups.writeFrame(WireCodec.frame(for: message, requestID: UInt64(requestID + 1)))
        }
        seeds.append(groups.bytes)
        return seeds
    }

    private static func remotingSeeds() throws -> [[UInt8]] {
        let properties = [MessagePropertyPair("TAGS", "TagA"), MessagePropertyPair("KEYS", "k1")]
        var seeds: [[UInt8]] = []
        for (v2, batch) in [(false, false), (true, false), (true, true)] {
            let header = SendMessageRequestHeader(
                producerGroup: "pg", topic: "TopicTest", queueID: 1, bornTimestamp: 1_700_000_000_000,
                properties: properties, batch: batch)
            let body: [UInt8] =
                batch
                ? try BatchMessage.encode([
                    BatchMessage(body: [1, 2, 3], properties: properties), BatchMessage(body: [], properties: []),
                ]) : Array("hello".utf8)
            let command = RemotingCommand(
                code: v2 ? 310 : 10, language: .cpp, version: 333, opaque: 3, extFields: header.extFields(v2: v2),
                body: body[...])
            seeds.append([32] + (try command.encoded(as: v2 ? .rocketMQ : .json)))
        }
        return seeds
    }

    private static let configSeed = """
        # node n0
        group=ledger
        selfId=n0
        peers=n0-127.0.0.1:40911;n1-127.0.0.1:40912;n2-127.0.0.1:40913
        storeBaseDir=run/data/n0
        flushDiskType=SYNC_FLUSH
        tickMs=10
        electionTimeoutMinMs=150
        electionTimeoutMaxMs=300
        dataFileSize=64MiB
        adminPort=8081
        """

    /// Two pipelined scrapes, the second closing the connection, fed in 17-byte chunks.
    private static let httpSeed: [UInt8] =
        [16]
        + Array(
            ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nAccept: text/plain\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").utf8)

    private static func recordSeeds() throws -> [[UInt8]] {
        let stored = StoredMessage(
            queueID: 1, flag: 7, queueOffset: QueueOffset(2), physicalOffset: PhysicalOffset(0x100), sysFlag: 0,
            bornTimestamp: 1_700_000_000_000, bornHost: born, storeTimestamp: 1_700_000_000_001,
            storeHost: stamp.storeHost, body: Array("hi".utf8), topic: "T",
            properties: [MessagePropertyPair("TAGS", "A"), MessagePropertyPair("KEYS", "k")])
        let message = ProducerMessage(
            topic: "TopicTest", tags: "TagA", keys: ["k1", "k2"], body: Array("hello".utf8), bornHost: born,
            producer: ProducerStamp(producer: ProducerID(9), sequence: 4))
        let batch = MessageBatch(
            messages: [message, message], producer: ProducerStamp(producer: ProducerID(1), sequence: 1))
        let commit = OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 2), offset: QueueOffset(17))
        return [
            stored.encodedRecord(),
            try Command.send(message, stamp).encoded(),
            try Command.sendBatch(batch, stamp).encoded(),
            try Command.commitOffset(commit).encoded(),
            EntryPayload.encodeRaw(Array("raw".utf8)),
        ]
    }

    /// The data file of a small store written by the real ``LogStore``.
    private static func logStoreSeed() throws -> [UInt8] {
        let fs = SimulatedFileSystem(seed: 1)
        try fs.makeDirectory("/log")
        let store = try LogStore(
            directory: "/log", fileSystem: fs,
            configuration: LogStoreConfiguration(
                dataFileSize: 4096, indexEntriesPerFile: 64, flushPolicy: .syncFlush, cacheBytes: 0, preallocate: false)
        )
        let entries = (1...6).map {
            Entry(index: LogIndex(UInt64($0)), term: Term(UInt64(1 + $0 / 4)), data: Array("entry \($0)".utf8))
        }
        try store.append(entries)
        try store.sync()
        try store.close()
        guard let bytes = fs.contents(of: "/log/data/" + SegmentedFileName.name(start: 0)) else {
            throw FuzzViolation("the seed store wrote no data file")
        }
        // Only the written part: the rest of the file is zeros the fuzzer can add back.
        var end = bytes.count
        while end > 0 && bytes[end - 1] == 0 { end -= 1 }
        return Array(bytes[..<end])
    }
}
