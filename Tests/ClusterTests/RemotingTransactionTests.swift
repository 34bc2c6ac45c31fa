import LedgerClient
import LedgerConfig
import LedgerLocalGroup
import LedgerModel
import Raft
import Remoting
import Testing

/// Transactions and send-backs on the broker port, as RocketMQ clients send them (raw frames):
/// a half message is invisible until END_TRANSACTION commits it; a rolled-back one never
/// appears; an undecided one is checked back with CHECK_TRANSACTION_STATE on the producer's
/// connection, and the producer's answer decides it; one nobody answers is discarded after
/// `transactionCheckMax` checks. CONSUMER_SEND_MSG_BACK as the 1.0.1 client sends it (offset,
/// group, delay level only) puts the message into the group's retry topic.
@Suite(.serialized)
struct RemotingTransactionTests {
    static let settings = [
        "transactionTimeOut=1000", "transactionCheckInterval=1000", "transactionCheckMax=2",
        "messageDelayLevel=1s 1s 1s 1s",
    ]

    /// A half message's send as the 2.1.0 client makes it; returns its commit-log offset.
    private func sendHalf(_ producer: RemotingProbe, _ body: String, key: String) throws -> PhysicalOffset {
        let header = SendMessageRequestHeader(
            producerGroup: "PG", topic: "Tx", queueID: 0, sysFlag: 4, bornTimestamp: 1,
            properties: [.init("TRAN_MSG", "true"), .init("PGROUP", "PG"), .init("UNIQ_KEY", key)])
        let answer = try producer.call(.sendMessageV2, header.extFields(v2: true), body: Array(body.utf8))
        #expect(answer.responseCode == .success, "\(answer)")
        let id = try #require(answer.extFields["msgId"])
        return try #require(MessageID.parse(id)).physicalOffset
    }

    private func end(_ producer: RemotingProbe, _ half: PhysicalOffset, _ code: String, fromCheck: Bool = false)
        throws -> RemotingCommand
    {
        try producer.call(
            .endTransaction,
            [
                "producerGroup": "PG", "tranStateTableOffset": "0", "commitLogOffset": String(half.rawValue),
                "commitOrRollback": code, "fromTransactionCheck": fromCheck ? "1" : "0", "msgId": "",
                "transactionId": "",
            ])
    }

    @Test("commit, rollback, an undecided half checked back and committed, one discarded; a send-back")
    func transactionsAndSendBacksOnTheBrokerPort() throws {
        let fixture = try ClusterFixture(adminPorts: true, remoting: true, settings: Self.settings)
        let leader = try fixture.awaitLeader()
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let producer = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        let heartbeat = Array(#"{"clientID":"probe@1","producerDataSet":[{"groupName":"PG"}]}"#.utf8)
        #expect(try producer.call(.heartBeat, body: heartbeat).responseCode == .success)

        func bodies() throws -> [String] {
            let result = try fixture.client.pull(topic: "Tx", queueID: 0, offset: .zero, maxCount: 16)
            return result.messages.map { String(decoding: $0.body, as: UTF8.self) }
        }
        let committed = try sendHalf(producer, "commit me", key: "U1")
        let rolledBack = try sendHalf(producer, "roll me back", key: "U2")
        let undecided = try sendHalf(producer, "check me", key: "U3")
        #expect(try end(producer, committed, "8").responseCode == .success)
        #expect(try end(producer, rolledBack, "12").responseCode == .success)
        #expect(try end(producer, undecided, "0").responseCode == .success)
        #expect(try bodies() == ["commit me"])
        let visible = try #require(try fixture.client.pull(topic: "Tx", queueID: 0, offset: .zero).messages.first)
        #expect(visible.sysFlag & MessageSysFlag.transactionCommit != 0)
        #expect(visible.preparedTransactionOffset == committed.rawValue && visible.property("TRAN_MSG") == nil)
        // Deciding a transaction twice is refused, naming why.
        let again = try end(producer, rolledBack, "8")
        #expect(again.responseCode == .systemError && again.remark?.contains("no half message waits") == true)

        // The undecided one is checked back on the producer's connection after transactionTimeOut.
        let check = try producer.nextPushed()
        #expect(check.requestCode == .checkTransactionState && check.isOneWay, "\(check)")
        #expect(check.extFields["commitLogOffset"] == String(undecided.rawValue))
        #expect(check.extFields["msgId"] == "U3")
        let asked = try StoredMessage(decoding: Array(check.body))
        #expect(asked.topic == "Tx" && asked.body == Array("check me".utf8))
        #expect(try end(producer, undecided, "8", fromCheck: true).responseCode == .success)
        #expect(try bodies() == ["commit me", "check me"])

        // One nobody answers is checked twice, then discarded.
        let abandoned = try sendHalf(producer, "nobody decides", key: "U4")
        let port = fixture.cluster.adminPorts[Int(leader.peer.id.rawValue)]
        try fixture.eventually("the abandoned half message discarded", timeout: .seconds(20)) {
            let text = (try? HTTPProbe.get(port: port, "/metrics").body) ?? ""
            return text.contains(#"ledger_transactions_total{outcome="discarded"} 1"#)
                && text.contains("ledger_transactions_pending 0")
        }
        #expect(try bodies() == ["commit me", "check me"])
        #expect(try end(producer, abandoned, "8").responseCode == .systemError)

        // CONSUMER_SEND_MSG_BACK as the 1.0.1 client sends it: into %RETRY%G after level 3.
        let consumer = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(leader.peer.id.rawValue)])
        let back = try consumer.call(
            .consumerSendMessageBack,
            ["group": "G", "offset": String(visible.physicalOffset.rawValue), "delayLevel": "0"])
        #expect(back.responseCode == .success, "\(back)")
        var retried: StoredMessage?
        try fixture.eventually("the sent-back message in %RETRY%G") {
            retried = (try? fixture.client.pull(topic: "%RETRY%G", queueID: 0, offset: .zero))?.messages.first
            return retried != nil
        }
        #expect(retried?.reconsumeTimes == 1 && retried?.property("RETRY_TOPIC") == "Tx")
        let unknown = try consumer.call(.consumerSendMessageBack, ["group": "G", "offset": "3", "delayLevel": "0"])
        #expect(unknown.responseCode == .systemError, "no message at offset 3: \(unknown)")
    }

    @Test(
        "through a kill -9 of the leader: a half message committed on the next leader, an undecided one checked back by it"
    )
    func transactionsSurviveALeaderKill() throws {
        let fixture = try ClusterFixture(adminPorts: true, remoting: true, settings: Self.settings)
        let first = try fixture.awaitLeader()
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        let producer = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(first.peer.id.rawValue)])
        let committed = try sendHalf(producer, "commit after the kill", key: "K1")
        let undecided = try sendHalf(producer, "check after the kill", key: "K2")
        fixture.cluster.kill(first.peer.id)
        let next = try fixture.awaitLeader(excluding: first.peer.id)
        _ = try RemotingFrontEndTests.agreedMaster(fixture)
        // The producer follows the route to the new leader and says who it is there.
        let successor = try RemotingProbe(port: fixture.cluster.brokerPorts[Int(next.peer.id.rawValue)])
        let heartbeat = Array(#"{"clientID":"probe@2","producerDataSet":[{"groupName":"PG"}]}"#.utf8)
        #expect(try successor.call(.heartBeat, body: heartbeat).responseCode == .success)
        #expect(try end(successor, committed, "8").responseCode == .success)
        let check = try successor.nextPushed()
        #expect(check.requestCode == .checkTransactionState, "\(check)")
        #expect(check.extFields["commitLogOffset"] == String(undecided.rawValue))
        #expect(try end(successor, undecided, "8", fromCheck: true).responseCode == .success)
        var bodies: [String] = []
        try fixture.eventually("both committed messages visible") {
            let pulled = try? fixture.client.pull(topic: "Tx", queueID: 0, offset: .zero, maxCount: 16)
            bodies = pulled?.messages.map { String(decoding: $0.body, as: UTF8.self) } ?? []
            return bodies.count >= 2
        }
        #expect(bodies.sorted() == ["check after the kill", "commit after the kill"], "each once")
    }
}
