import LedgerModel
import Raft
import Remoting
import Testing

/// The broker port's answers: every field a string, the codes the clients act on.
@Suite struct BrokerResponseTests {
    static let request = RemotingCommand(code: 11, language: .cpp, version: 63, opaque: 9)
    static let host = HostAddress(ipv4: 127, 0, 0, 1, port: 40_911)

    static func stored(_ offset: Int64, body: String) -> StoredMessage {
        StoredMessage(
            queueID: 1, flag: 0, queueOffset: QueueOffset(offset), physicalOffset: PhysicalOffset(offset * 200),
            sysFlag: 0, bornTimestamp: 1, bornHost: host, storeTimestamp: 2, storeHost: host, body: Array(body.utf8),
            topic: "T", properties: [.init("TAGS", "tagA")])
    }

    @Test func aSendAnswersTheOffsetMessageIDAndQueuePositionAsStrings() throws {
        let results = [0, 1].map { n in
            SendResult(
                queue: MessageQueue(topic: "T", queueID: 2), queueOffset: QueueOffset(10 + n),
                physicalOffset: PhysicalOffset(Int64(300 * n)),
                messageID: MessageID.make(storeHost: Self.host, physicalOffset: PhysicalOffset(Int64(300 * n))),
                storeTimestamp: 5)
        }
        let answer = RemotingCommand.sendResponse(SendResponse(results: results, duplicate: false), to: Self.request)
        #expect(answer.responseCode == .success && answer.opaque == 9)
        #expect(answer.extFields["queueId"] == "2" && answer.extFields["queueOffset"] == "10")
        let ids = try #require(answer.extFields["msgId"]).split(separator: ",").map(String.init)
        #expect(ids.count == 2)
        #expect(MessageID.parse(ids[1])?.physicalOffset == PhysicalOffset(300))
        let encoded = String(decoding: try answer.encoded(), as: UTF8.self)
        #expect(encoded.contains(#""queueId":"2""#) && encoded.contains(#""queueOffset":"10""#))
    }

    @Test func pullStatusesMapToTheirCodesAndFoundCarriesRecords() throws {
        let messages = [Self.stored(4, body: "a"), Self.stored(5, body: "bb")]
        let found = RemotingCommand.pullResponse(
            PullResult(
                status: .found, nextOffset: QueueOffset(6), minOffset: .zero, maxOffset: QueueOffset(8),
                messages: messages),
            to: Self.request)
        #expect(found.responseCode == .success)
        #expect(
            found.extFields == [
                "suggestWhichBrokerId": "0", "nextBeginOffset": "6", "minOffset": "0", "maxOffset": "8",
            ])
        let body = Array(found.body)
        let first = try StoredMessage(decoding: body)
        let second = try StoredMessage(decoding: body, at: first.storeSize)
        #expect([first, second] == messages && body.count == first.storeSize + second.storeSize)
        let codes: [(PullStatus, ResponseCode)] = [
            (.noNewMessage, .pullNotFound), (.noMatchedMessage, .pullRetryImmediately),
            (.offsetIllegal, .pullOffsetMoved),
        ]
        for (status, code) in codes {
            let answer = RemotingCommand.pullResponse(
                PullResult(
                    status: status, nextOffset: QueueOffset(3), minOffset: .zero, maxOffset: QueueOffset(3),
                    messages: []),
                to: Self.request)
            #expect(answer.responseCode == code && answer.body.isEmpty && answer.extFields["nextBeginOffset"] == "3")
        }
    }

    @Test func aConsumerOffsetIsTheCommittedOneOrZero() {
        let queue = MessageQueue(topic: "T", queueID: 1)
        let offsets = ConsumerOffsetsResponse(
            group: "G",
            progress: [
                ConsumerProgress(group: "G", queue: queue, committedOffset: QueueOffset(7), maxOffset: QueueOffset(9))
            ])
        #expect(
            RemotingCommand.consumerOffsetResponse(offsets, queue: queue, to: Self.request).extFields["offset"] == "7")
        let other = MessageQueue(topic: "%RETRY%G", queueID: 0)
        #expect(
            RemotingCommand.consumerOffsetResponse(offsets, queue: other, to: Self.request).extFields["offset"] == "0")
    }

    @Test func notLeadingIsServiceNotAvailableAndRefusedSendsAreIllegal() {
        let notLeader = ErrorResponse(
            code: .notLeader(leader: NodeID(1), leaderAddress: "127.0.0.1:40912"), message: "x")
        #expect(RemotingCommand.errorResponse(notLeader, to: Self.request).responseCode == .serviceNotAvailable)
        #expect(
            RemotingCommand.errorResponse(ErrorResponse(code: .noQuorum, message: "x"), to: Self.request).responseCode
                == .serviceNotAvailable)
        let bad = ErrorResponse(code: .badRequest, message: "queue 9 out of range")
        let send = RemotingCommand(code: 310, opaque: 1)
        #expect(RemotingCommand.errorResponse(bad, to: send).responseCode == .messageIllegal)
        let refused = RemotingCommand.errorResponse(bad, to: Self.request)
        #expect(refused.responseCode == .systemError && refused.remark == bad.description)
        #expect(
            RemotingCommand.errorResponse(ErrorResponse(code: .outcomeUnknown, message: "x"), to: send).responseCode
                == .systemError)
        #expect(
            RemotingCommand.errorResponse(ErrorResponse(code: .busy, message: "x"), to: send).responseCode
                == .systemBusy)
    }

    @Test func aKeyQueryAnswersTheRecordsStoredWithinItsTimeRange() throws {
        var late = Self.stored(6, body: "late")
        late.storeTimestamp = 50
        let messages = [Self.stored(4, body: "a"), Self.stored(5, body: "bb"), late]
        let answer = RemotingCommand.queryMessageResponse(messages, storedWithin: 0...10, to: Self.request)
        #expect(answer.responseCode == .success)
        #expect(answer.extFields == ["indexLastUpdateTimestamp": "2", "indexLastUpdatePhyoffset": "1000"])
        let body = Array(answer.body)
        let first = try StoredMessage(decoding: body)
        #expect(first == messages[0] && body.count == first.storeSize + messages[1].storeSize)
        let none = RemotingCommand.queryMessageResponse(messages, storedWithin: 100...200, to: Self.request)
        #expect(none.responseCode == .queryNotFound && none.body.isEmpty)
        let viewed = RemotingCommand.viewMessageResponse(late, to: Self.request)
        #expect(try StoredMessage(decoding: Array(viewed.body)) == late)
    }

    @Test func theConsumerListIsAJSONArrayOfClientIDs() {
        let answer = RemotingCommand.consumerListResponse(["a", "b\"c"], to: Self.request)
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"consumerIdList":["a","b\"c"]}"#)
    }

    @Test func consumerGroupsKeepLiveMembersSortedAndReportChanges() {
        var groups = ConsumerGroups()
        #expect(
            groups.record(
                Heartbeat(clientID: "z", consumerGroups: ["H", "G"]), connection: 1, address: "10.0.0.1:1", now: 0) == [
                    "G", "H",
                ])
        #expect(
            groups.record(
                Heartbeat(clientID: "z", consumerGroups: ["G", "H"]), connection: 1, address: "10.0.0.1:1", now: 0
            ).isEmpty)
        #expect(
            groups.record(
                Heartbeat(clientID: "a", consumerGroups: ["G"]), connection: 2, address: "10.0.0.2:2", now: 1000) == [
                    "G"
                ])
        #expect(groups.members(of: "G", now: 1000) == ["a", "z"])
        #expect(groups.connections(of: "G") == [1, 2])
        #expect(groups.unregister("z", group: "G") == ["G"])
        #expect(groups.unregister("z", group: "G").isEmpty)
        #expect(groups.members(of: "G", now: 1000) == ["a"] && groups.members(of: "H", now: 1000) == ["z"])
        #expect(groups.connectionClosed(1) == ["H"])
        #expect(groups.connectionClosed(1).isEmpty)
        #expect(groups.members(of: "H", now: 1000).isEmpty)
        #expect(groups.members(of: "G", now: 1000 + ConsumerGroups.expiryMilliseconds - 1) == ["a"])
        #expect(groups.members(of: "G", now: 1000 + ConsumerGroups.expiryMilliseconds).isEmpty)
        #expect(
            groups.record(
                Heartbeat(clientID: "b", consumerGroups: ["G", "H"]), connection: 3, address: "10.0.0.3:3", now: 0) == [
                    "G", "H",
                ])
        #expect(groups.unregister("b", group: nil) == ["G", "H"])
        #expect(groups.members(of: "G", now: 0).isEmpty && groups.members(of: "H", now: 0).isEmpty)
    }

    @Test func liveMembersShowAddressesSubscriptionsAndHeartbeatTimes() {
        var groups = ConsumerGroups()
        let subscriptions = [
            Heartbeat.Subscription(group: "G", topic: "T", expression: "tagA || tagB"),
            Heartbeat.Subscription(group: "H", topic: "U", expression: "*"),
        ]
        _ = groups.record(
            Heartbeat(clientID: "z", consumerGroups: ["G", "H"], subscriptions: subscriptions), connection: 1,
            address: "10.0.0.1:5000", now: 1_000)
        _ = groups.record(
            Heartbeat(clientID: "a", consumerGroups: ["G"]), connection: 2, address: "10.0.0.2:6000", now: 2_000)
        let live = groups.liveMembers(now: 3_000)
        #expect(live.map(\.group) == ["G", "H"])
        #expect(live[0].members.map(\.clientID) == ["a", "z"])
        #expect(live[0].members[1].address == "10.0.0.1:5000" && live[0].members[1].lastSeen == 1_000)
        #expect(live[0].members[1].subscriptions == [subscriptions[0]])
        #expect(live[1].members.map(\.subscriptions) == [[subscriptions[1]]])
        // Expired members are left out, without being dropped.
        let later = groups.liveMembers(now: 1_000 + ConsumerGroups.expiryMilliseconds)
        #expect(later.map(\.group) == ["G"] && later[0].members.map(\.clientID) == ["a"])
        #expect(groups.liveMembers(now: 3_000).map(\.group) == ["G", "H"])
    }

    @Test func aMembershipChangeIsAOneWayNotice() throws {
        let notice = RemotingCommand.consumerIDsChanged(group: "G", opaque: 3)
        #expect(notice.requestCode == .notifyConsumerIDsChanged && notice.isOneWay && !notice.isResponse)
        #expect(notice.extFields == ["consumerGroup": "G"] && notice.opaque == 3)
    }
}
