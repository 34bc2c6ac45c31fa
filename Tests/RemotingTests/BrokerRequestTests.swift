import LedgerModel
import Remoting
import Testing

/// The broker port's translation: requests as the C++ clients send them (reference §5) into the
/// store's requests, and the store's answers into the fields the clients read.
@Suite struct BrokerRequestTests {
    static let client = HostAddress(ipv4: 127, 0, 0, 1, port: 50_000)

    static func request(_ code: Int32, _ fields: ExtFields, body: [UInt8] = [], flags: RemotingFlags = [])
        -> RemotingCommand
    {
        RemotingCommand(
            code: code, language: .cpp, version: 63, opaque: 7, flags: flags, extFields: fields, body: body[...])
    }

    @Test func aCppSendBecomesOneMessageWithItsTagsKeysAndPropertiesSplitOut() throws {
        let command = try RemotingCommand.decode(
            RemotingSamples.frame(json: RemotingSamples.cppSendMessageHeader, body: Array("hello".utf8)))
        guard case .send(let send) = try BrokerRequest(command, bornHost: Self.client) else {
            Issue.record("not a send")
            return
        }
        #expect(send.producer == nil)
        #expect(send.messages.count == 1)
        let message = try #require(send.messages.first)
        #expect(message.topic == "TopicTest" && message.target == .queue(0))
        #expect(message.tags == "tagA" && message.keys == ["k0"])
        // UNIQ_KEY is the message's own id (the reference elides its value as "…"); WAIT and
        // user properties stay properties.
        #expect(message.uniqueKey == "…")
        #expect(message.properties == ["WAIT": "true", "userProp": "v0"])
        #expect(message.body == Array("hello".utf8))
        #expect(message.bornTimestamp == 1_796_311_224_388 && message.bornHost == Self.client)
    }

    @Test func aV2BatchBecomesOneMessagePerBatchEntry() throws {
        let body = try BatchMessage.encode([
            BatchMessage(body: Array("one".utf8)[...], properties: [.init("TAGS", "tagA"), .init("KEYS", "a b")]),
            BatchMessage(flag: 3, body: Array("two".utf8)[...], properties: [.init("UNIQ_KEY", "X"), .init("p", "q")]),
        ])
        let header = SendMessageRequestHeader(
            producerGroup: "PG", topic: "T", queueID: 2, bornTimestamp: 5, properties: [.init("WAIT", "true")],
            batch: true)
        let command = Self.request(310, header.extFields(v2: true), body: body)
        guard case .send(let send) = try BrokerRequest(command, bornHost: Self.client) else {
            Issue.record("not a send")
            return
        }
        #expect(send.messages.map(\.body) == [Array("one".utf8), Array("two".utf8)])
        #expect(send.messages.map(\.tags) == ["tagA", nil])
        #expect(send.messages.map(\.keys) == [["a", "b"], []])
        #expect(send.messages.map(\.properties) == [[:], ["p": "q"]])
        #expect(send.messages.map(\.uniqueKey) == [nil, "X"])
        #expect(send.messages.map(\.flag) == [0, 3])
        #expect(send.messages.allSatisfy { $0.target == .queue(2) && $0.topic == "T" })
    }

    @Test func aCompressedBodyIsKeptAsSentAndCommitsAndCompressedOrHalfBatchesAreRefused() throws {
        let compressed = SendMessageRequestHeader(
            producerGroup: "PG", topic: "T", queueID: 0, sysFlag: 1, bornTimestamp: 1)
        let zlib: [UInt8] = [0x78, 0x9C, 0x03, 0x00]
        guard
            case .send(let send) = try BrokerRequest(
                Self.request(10, compressed.extFields(v2: false), body: zlib), bornHost: Self.client)
        else {
            Issue.record("not a send")
            return
        }
        #expect(send.messages.map(\.bodyCompressed) == [true] && send.messages.first?.body == zlib)
        var batch = compressed
        batch.batch = true
        var halfBatch = SendMessageRequestHeader(
            producerGroup: "PG", topic: "T", queueID: 0, sysFlag: 4, bornTimestamp: 1)
        halfBatch.batch = true
        let refusals: [(Int32, ExtFields)] = [
            (310, halfBatch.extFields(v2: true)),
            (
                10,
                SendMessageRequestHeader(producerGroup: "PG", topic: "T", queueID: 0, sysFlag: 12, bornTimestamp: 1)
                    .extFields(v2: false)
            ),
            (
                10,
                SendMessageRequestHeader(producerGroup: "PG", topic: "T", queueID: 0, sysFlag: 8, bornTimestamp: 1)
                    .extFields(v2: false)
            ),
            (310, batch.extFields(v2: true)),
        ]
        for (code, fields) in refusals {
            let command = Self.request(code, fields, body: [1])
            let error = #expect(throws: BrokerRequestError.self) { try BrokerRequest(command, bornHost: Self.client) }
            let answer = try #require(error).response(to: command)
            #expect(answer.responseCode == .messageIllegal && answer.opaque == 7, "\(fields)")
        }
    }

    @Test func aSuspendingPullLongPollsAndAPlainPullDoesNot() throws {
        let fields: ExtFields = [
            "consumerGroup": "G", "topic": "T", "queueId": "1", "queueOffset": "5", "maxMsgNums": "32",
            "sysFlag": "6", "commitOffset": "0", "suspendTimeoutMillis": "15000", "subscription": "tagA||tagC",
        ]
        guard case .pull(let pull, nil) = try BrokerRequest(Self.request(11, fields), bornHost: Self.client) else {
            Issue.record("not a pull")
            return
        }
        #expect(pull.queue == MessageQueue(topic: "T", queueID: 1) && pull.offset == QueueOffset(5))
        #expect(pull.maxCount == 32 && pull.tagExpression == "tagA||tagC")
        #expect(pull.waitMs == 15_000 && pull.absentTopicIsEmpty)
        var plain = fields
        plain["sysFlag"] = "4"
        plain["suspendTimeoutMillis"] = "20000"
        guard case .pull(let once, nil) = try BrokerRequest(Self.request(11, plain), bornHost: Self.client) else {
            Issue.record("not a pull")
            return
        }
        #expect(once.waitMs == 0)
    }

    @Test func aPullWithTheCommitFlagCarriesTheGroupsOffset() throws {
        var fields: ExtFields = [
            "consumerGroup": "G", "topic": "T", "queueId": "2", "queueOffset": "8", "maxMsgNums": "32",
            "sysFlag": "7", "commitOffset": "6", "suspendTimeoutMillis": "15000", "subscription": "*",
        ]
        let expected = OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 2), offset: QueueOffset(6))
        guard case .pull(_, let commit) = try BrokerRequest(Self.request(11, fields), bornHost: Self.client) else {
            Issue.record("not a pull")
            return
        }
        #expect(commit == expected)
        // No flag, or no offset known yet (-1): nothing to commit.
        for (flag, offset) in [("6", "6"), ("7", "-1")] {
            fields["sysFlag"] = flag
            fields["commitOffset"] = offset
            guard case .pull(_, let none) = try BrokerRequest(Self.request(11, fields), bornHost: Self.client) else {
                Issue.record("not a pull")
                return
            }
            #expect(none == nil, "sysFlag \(flag), commitOffset \(offset)")
        }
    }

    @Test func offsetAndMembershipRequestsKeepTheirFields() throws {
        let queue: ExtFields = ["consumerGroup": "G", "topic": "T", "queueId": "3"]
        #expect(
            try BrokerRequest(Self.request(14, queue), bornHost: Self.client)
                == .queryConsumerOffset(group: "G", queue: MessageQueue(topic: "T", queueID: 3)))
        var commit = queue
        commit["commitOffset"] = "9"
        #expect(
            try BrokerRequest(Self.request(15, commit), bornHost: Self.client)
                == .updateConsumerOffset(
                    OffsetCommit(group: "G", queue: MessageQueue(topic: "T", queueID: 3), offset: QueueOffset(9))))
        #expect(
            try BrokerRequest(Self.request(30, queue), bornHost: Self.client)
                == .maxOffset(MessageQueue(topic: "T", queueID: 3)))
        #expect(
            try BrokerRequest(Self.request(31, queue), bornHost: Self.client)
                == .minOffset(MessageQueue(topic: "T", queueID: 3)))
        #expect(
            try BrokerRequest(Self.request(38, ["consumerGroup": "G"]), bornHost: Self.client)
                == .consumerList(group: "G"))
        #expect(
            try BrokerRequest(
                Self.request(35, ["clientID": "c1", "producerGroup": "PG", "consumerGroup": ""]), bornHost: Self.client)
                == .unregisterClient(clientID: "c1", consumerGroup: nil))
    }

    @Test func lookupsKeepTheirFields() throws {
        #expect(
            try BrokerRequest(
                Self.request(29, ["topic": "T", "queueId": "1", "timestamp": "1700"]), bornHost: Self.client)
                == .searchOffset(SearchOffsetRequest(queue: MessageQueue(topic: "T", queueID: 1), timestamp: 1700)))
        #expect(
            try BrokerRequest(Self.request(33, ["offset": "4096"]), bornHost: Self.client)
                == .viewMessage(PhysicalOffset(4096)))
        let query: ExtFields = [
            "topic": "T", "key": "k1", "maxNum": "32", "beginTimestamp": "10", "endTimestamp": "20",
        ]
        #expect(
            try BrokerRequest(Self.request(12, query), bornHost: Self.client)
                == .queryMessage(KeyLookupRequest(topic: "T", key: "k1", maxCount: 32), storedWithin: 10...20))
    }

    @Test func aHeartbeatNamesItsClientConsumerGroupsAndTopics() throws {
        let body = #"""
            {"clientID":"4242-127.0.0.1@DEFAULT","consumerDataSet":[{"consumeFromWhere":0,"consumeType":1,"groupName":"G","messageModel":1,"subscriptionDataSet":[{"subString":"*","subVersion":1,"topic":"%RETRY%G"},{"codeSet":[0,0],"subString":"tagA||tagC","subVersion":1,"tagsSet":["tagA","tagC"],"topic":"T"}]}],"producerDataSet":[{"groupName":"PG"}]}
            """#
        let request = try BrokerRequest(Self.request(34, [:], body: Array(body.utf8)), bornHost: Self.client)
        #expect(
            request
                == .heartbeat(
                    Heartbeat(
                        clientID: "4242-127.0.0.1@DEFAULT", consumerGroups: ["G"], subscribedTopics: ["%RETRY%G", "T"],
                        subscriptions: [
                            Heartbeat.Subscription(group: "G", topic: "%RETRY%G", expression: "*"),
                            Heartbeat.Subscription(group: "G", topic: "T", expression: "tagA||tagC"),
                        ], producerGroups: ["PG"]))
        )
        let producerOnly = #"{"clientID":"c","producerDataSet":[{"groupName":"PG"}]}"#
        #expect(
            try Heartbeat(body: Array(producerOnly.utf8)[...])
                == Heartbeat(clientID: "c", consumerGroups: [], producerGroups: ["PG"]))
        #expect(throws: RemotingError.self) { try Heartbeat(body: Array(#"{"consumerDataSet":[]}"#.utf8)[...]) }
    }

    @Test func unservedCodesAreAnswered3AndBrokenFieldsSystemError() throws {
        // GET_KV_CONFIG is not served.
        let end = Self.request(101, [:])
        let unsupported = #expect(throws: BrokerRequestError.self) { try BrokerRequest(end, bornHost: Self.client) }
        #expect(try #require(unsupported).response(to: end).responseCode == .requestCodeNotSupported)
        let pull = Self.request(
            11,
            ["consumerGroup": "G", "topic": "T", "queueId": "x", "queueOffset": "0", "maxMsgNums": "1", "sysFlag": "0"])
        let malformed = #expect(throws: BrokerRequestError.self) { try BrokerRequest(pull, bornHost: Self.client) }
        let answer = try #require(malformed).response(to: pull)
        #expect(answer.responseCode == .systemError && answer.remark?.contains("queueId") == true)
    }

    @Test func aHalfMessageIsMarkedForItsProducerGroup() throws {
        // As the 2.1.0 client sends it: sysFlag 4 and TRAN_MSG, PGROUP in the properties.
        let header = SendMessageRequestHeader(
            producerGroup: "PG", topic: "T", queueID: 1, sysFlag: 4, bornTimestamp: 1,
            properties: [.init("TRAN_MSG", "true"), .init("PGROUP", "PG"), .init("UNIQ_KEY", "U")])
        guard
            case .send(let send) = try BrokerRequest(
                Self.request(310, header.extFields(v2: true), body: [1]), bornHost: Self.client)
        else {
            Issue.record("not a send")
            return
        }
        #expect(send.messages.first?.properties == ["TRAN_MSG": "true", "PGROUP": "PG"])
        // Without them in the properties, the flag and the header's group say the same.
        let bare = SendMessageRequestHeader(producerGroup: "PG2", topic: "T", queueID: 1, sysFlag: 4, bornTimestamp: 1)
        guard
            case .send(let marked) = try BrokerRequest(
                Self.request(10, bare.extFields(v2: false), body: [1]), bornHost: Self.client)
        else {
            Issue.record("not a send")
            return
        }
        #expect(marked.messages.first?.properties == ["TRAN_MSG": "true", "PGROUP": "PG2"])
    }

    @Test func sendBackAndEndTransactionAsTheClientsSendThem() throws {
        // 1.0.1: group, offset and delayLevel only (delayLevel a JSON number).
        let back = try RemotingCommand.decode(
            RemotingSamples.frame(
                json:
                    #"{"code":36,"extFields":{"delayLevel":0,"group":"G","offset":"4242"},"flag":0,"language":"CPP","opaque":3,"version":63}"#
            ))
        #expect(
            try BrokerRequest(back, bornHost: Self.client)
                == .sendBack(SendBackRequest(group: "G", offset: PhysicalOffset(4242))))
        let withMaximum = Self.request(
            36, ["group": "G", "offset": "7", "delayLevel": "-1", "maxReconsumeTimes": "2", "originMsgId": "X"])
        #expect(
            try BrokerRequest(withMaximum, bornHost: Self.client)
                == .sendBack(
                    SendBackRequest(group: "G", offset: PhysicalOffset(7), delayLevel: -1, maxReconsumeTimes: 2)))
        for (code, outcome) in [("8", TransactionOutcome.commit), ("12", .rollback), ("0", .unknown)] {
            let end = Self.request(
                37,
                [
                    "producerGroup": "PG", "tranStateTableOffset": "0", "commitLogOffset": "99",
                    "commitOrRollback": code, "fromTransactionCheck": "0", "msgId": "U", "transactionId": "",
                ])
            #expect(
                try BrokerRequest(end, bornHost: Self.client)
                    == .endTransaction(
                        EndTransactionRequest(half: PhysicalOffset(99), outcome: outcome, producerGroup: "PG")))
        }
        for fields: ExtFields in [
            ["producerGroup": "PG", "commitLogOffset": "99", "commitOrRollback": "4"],
            ["producerGroup": "PG", "commitLogOffset": "-1", "commitOrRollback": "8"],
            ["group": "G", "offset": "-5"],
        ] {
            let code: Int32 = fields["group"] == nil ? 37 : 36
            let error = #expect(throws: BrokerRequestError.self) {
                try BrokerRequest(Self.request(code, fields), bornHost: Self.client)
            }
            guard case .malformed = try #require(error) else {
                Issue.record("\(fields) was not refused as malformed")
                continue
            }
        }
    }

    @Test func aCheckBackCarriesTheHalfMessageWithItsRealTopic() throws {
        let message = StoredMessage(
            queueID: 3, flag: 0, queueOffset: QueueOffset(5), physicalOffset: PhysicalOffset(640), sysFlag: 0,
            bornTimestamp: 1, bornHost: Self.client, storeTimestamp: 2,
            storeHost: HostAddress(ipv4: 127, 0, 0, 1, port: 30911), body: Array("x".utf8), topic: "T",
            properties: [.init("UNIQ_KEY", "U1"), .init("PGROUP", "PG")])
        let check = RemotingCommand.checkTransactionState(message, opaque: 9)
        #expect(check.requestCode == .checkTransactionState && check.isOneWay && !check.isResponse)
        #expect(check.extFields["commitLogOffset"] == "640" && check.extFields["tranStateTableOffset"] == "5")
        #expect(check.extFields["msgId"] == "U1" && check.extFields["offsetMsgId"] == message.messageID)
        #expect(try StoredMessage(decoding: Array(check.body)) == message)
    }

    @Test func aHeartbeatNamesItsProducerGroups() throws {
        let body = Array(
            #"{"clientID":"c1","producerDataSet":[{"groupName":"PG"},{"groupName":"CLIENT_INNER_PRODUCER"}]}"#.utf8)
        #expect(try Heartbeat(body: body[...]).producerGroups == ["PG", "CLIENT_INNER_PRODUCER"])
        var groups = ProducerGroups()
        groups.record("PG", connection: 4, now: 1000)
        groups.record("PG", connection: 2, now: 2000)
        #expect(groups.liveConnection(of: "PG", now: 2500) == 2)
        groups.connectionClosed(2)
        #expect(groups.liveConnection(of: "PG", now: 2500) == 4)
        #expect(groups.liveConnection(of: "PG", now: 1000 + ConsumerGroups.expiryMilliseconds) == nil)
    }
}
