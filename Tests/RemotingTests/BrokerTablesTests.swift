import LedgerModel
import Remoting
import Testing

/// The admin bodies: GET_BROKER_CLUSTER_INFO's cluster table and GET_ALL_TOPIC_CONFIG's topic table.
@Suite struct BrokerTablesTests {
    @Test func theClusterTableNamesEachGroupAndItsCluster() {
        let broker = TopicRouteData.BrokerData(
            cluster: "ledger", brokerName: "ledger", brokerAddrs: [(1, "127.0.0.1:30921"), (0, "127.0.0.1:30911")])
        let info = BrokerClusterInfo(brokers: [broker])
        #expect(
            String(decoding: info.encodedJSON(.standard), as: UTF8.self)
                == #"{"brokerAddrTable":{"ledger":{"brokerAddrs":{"0":"127.0.0.1:30911","1":"127.0.0.1:30921"},"#
                + #""brokerName":"ledger","cluster":"ledger","enableActingMaster":false}},"#
                + #""clusterAddrTable":{"ledger":["ledger"]}}"#)
        #expect(String(decoding: info.encodedJSON(.fastjson), as: UTF8.self).contains(#"{0:"127.0.0.1:30911",1:"#))
    }

    @Test func theTopicTableListsEveryTopicSortedWithItsQueues() throws {
        let queue = QueueOffsetRange(minOffset: .zero, maxOffset: QueueOffset(3))
        let topics = [TopicInfo(name: "b", queues: [queue]), TopicInfo(name: "a", queues: [queue, queue])]
        #expect(
            String(decoding: TopicConfigTable.encodedJSON(topics), as: UTF8.self)
                == #"{"dataVersion":{"counter":0,"timestamp":0},"topicConfigTable":{"#
                + #""a":{"order":false,"perm":6,"readQueueNums":2,"topicFilterType":"SINGLE_TAG","topicName":"a","#
                + #""topicSysFlag":0,"writeQueueNums":2},"#
                + #""b":{"order":false,"perm":6,"readQueueNums":1,"topicFilterType":"SINGLE_TAG","topicName":"b","#
                + #""topicSysFlag":0,"writeQueueNums":1}}}"#)
        let request = RemotingCommand(code: 21, opaque: 4)
        #expect(try BrokerRequest(request, bornHost: .unspecified) == .allTopicConfig)
        #expect(RemotingCommand.topicConfigResponse(topics, to: request).body.count > 0)
    }
}
