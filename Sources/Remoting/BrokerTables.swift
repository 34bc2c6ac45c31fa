import Bytes
import LedgerModel

/// GET_BROKER_CLUSTER_INFO's body (`ClusterInfo`): each broker group by name, and the broker
/// groups of each cluster. Addresses are written in `style`, as in a route.
///
///     {"brokerAddrTable":{"ledger":{"brokerAddrs":{"0":"127.0.0.1:30911"},"brokerName":"ledger",
///       "cluster":"ledger","enableActingMaster":false}},"clusterAddrTable":{"ledger":["ledger"]}}
public struct BrokerClusterInfo: Sendable, Hashable {
    public var brokers: [TopicRouteData.BrokerData]

    public init(brokers: [TopicRouteData.BrokerData]) { self.brokers = brokers }

    public func encodedJSON(_ style: RouteJSONStyle) -> [UInt8] {
        let ordered = brokers.sorted { $0.brokerName.utf8.lexicographicallyPrecedes($1.brokerName.utf8) }
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("brokerAddrTable")
        writer.beginObject()
        for broker in ordered {
            writer.key(broker.brokerName)
            broker.write(to: &writer, style)
        }
        writer.endObject()
        writer.key("clusterAddrTable")
        writer.beginObject()
        let clusters = Set(ordered.map(\.cluster)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for cluster in clusters {
            writer.key(cluster)
            writer.beginArray()
            for broker in ordered where broker.cluster == cluster { writer.string(broker.brokerName) }
            writer.endArray()
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}

/// GET_ALL_TOPIC_CONFIG's body (`TopicConfigSerializeWrapper`): every topic with its queue
/// counts, read and write permission, members in fastjson's sorted order. The data version
/// is not tracked (always 0): clients here never compare it.
///
///     {"dataVersion":{"counter":0,"timestamp":0},"topicConfigTable":{"T":{"order":false,"perm":6,
///       "readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":4}}}
public enum TopicConfigTable {
    public static func encodedJSON(_ topics: [TopicInfo]) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + topics.count * 160)
        writer.beginObject()
        writer.key("dataVersion")
        writer.beginObject()
        writer.member("counter", 0)
        writer.member("timestamp", 0)
        writer.endObject()
        writer.key("topicConfigTable")
        writer.beginObject()
        for topic in topics.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            writer.key(topic.name)
            writer.beginObject()
            writer.member("order", false)
            writer.member("perm", TopicPermissions([.read, .write]).rawValue)
            writer.member("readQueueNums", topic.queues.count)
            writer.member("topicFilterType", "SINGLE_TAG")
            writer.member("topicName", topic.name)
            writer.member("topicSysFlag", 0)
            writer.member("writeQueueNums", topic.queues.count)
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
