import Bytes

/// The NameServer's answer to GET_ROUTEINFO_BY_TOPIC (105): the brokers serving a topic and
/// its queues (`TopicRouteData`, `BrokerData`, `QueueData`), encoded as the response body.
public struct TopicRouteData: Sendable, Hashable {
    public var brokerDatas: [BrokerData]
    public var queueDatas: [QueueData]

    public init(brokerDatas: [BrokerData], queueDatas: [QueueData]) {
        self.brokerDatas = brokerDatas
        self.queueDatas = queueDatas
    }

    /// One broker group: its name, cluster and the address of each member by broker id
    /// (0 = master).
    public struct BrokerData: Sendable, Hashable {
        public var cluster: String
        public var brokerName: String
        /// Broker id → `host:port`; encoded in ascending id order whatever the order here.
        public var brokerAddrs: [(id: Int64, address: String)]

        public init(cluster: String, brokerName: String, brokerAddrs: [(id: Int64, address: String)]) {
            self.cluster = cluster
            self.brokerName = brokerName
            self.brokerAddrs = brokerAddrs
        }

        public static func == (lhs: BrokerData, rhs: BrokerData) -> Bool {
            lhs.cluster == rhs.cluster && lhs.brokerName == rhs.brokerName
                && lhs.brokerAddrs.map(\.id) == rhs.brokerAddrs.map(\.id)
                && lhs.brokerAddrs.map(\.address) == rhs.brokerAddrs.map(\.address)
        }

        /// Writes the broker as a JSON object (`brokerAddrs` in ascending id order).
        func write(to writer: inout JSONWriter, _ style: RouteJSONStyle) {
            writer.beginObject()
            writer.key("brokerAddrs")
            writer.beginObject()
            for (id, address) in brokerAddrs.sorted(by: { $0.id < $1.id }) {
                switch style {
                case .standard: writer.key(String(id))
                case .fastjson: writer.unquotedIntegerKey(id)
                }
                writer.string(address)
            }
            writer.endObject()
            writer.member("brokerName", brokerName)
            writer.member("cluster", cluster)
            writer.member("enableActingMaster", false)
            writer.endObject()
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(cluster)
            hasher.combine(brokerName)
            for (id, address) in brokerAddrs {
                hasher.combine(id)
                hasher.combine(address)
            }
        }
    }

    /// A topic's queues on one broker group.
    public struct QueueData: Sendable, Hashable {
        public var brokerName: String
        public var readQueueNums: Int32
        public var writeQueueNums: Int32
        public var perm: TopicPermissions
        public var topicSysFlag: Int32

        public init(
            brokerName: String, readQueueNums: Int32, writeQueueNums: Int32, perm: TopicPermissions = [.read, .write],
            topicSysFlag: Int32 = 0
        ) {
            self.brokerName = brokerName
            self.readQueueNums = readQueueNums
            self.writeQueueNums = writeQueueNums
            self.perm = perm
            self.topicSysFlag = topicSysFlag
        }
    }

    /// The body as JSON in `style`, members in fastjson's sorted order:
    ///
    ///     {"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a",
    ///       "cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},
    ///      "queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,
    ///       "writeQueueNums":4}]}
    ///
    /// with `{0:"127.0.0.1:10911"}` for ``RouteJSONStyle/fastjson``.
    public func encodedJSON(_ style: RouteJSONStyle) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("brokerDatas")
        writer.beginArray()
        for broker in brokerDatas { broker.write(to: &writer, style) }
        writer.endArray()
        writer.key("filterServerTable")
        writer.beginObject()
        writer.endObject()
        writer.key("queueDatas")
        writer.beginArray()
        for queue in queueDatas {
            writer.beginObject()
            writer.member("brokerName", queue.brokerName)
            writer.member("perm", queue.perm.rawValue)
            writer.member("readQueueNums", queue.readQueueNums)
            writer.member("topicSysFlag", queue.topicSysFlag)
            writer.member("writeQueueNums", queue.writeQueueNums)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}

/// A topic's permission bits (`PermName`).
public struct TopicPermissions: OptionSet, Sendable, Hashable {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let inherit = TopicPermissions(rawValue: 1)
    public static let write = TopicPermissions(rawValue: 2)
    public static let read = TopicPermissions(rawValue: 4)
}

/// How the NameServer writes a route's broker-id map. RocketMQ's NameServer sends standard JSON
/// only to clients at version V4_9_4 (401) or later, or that set `acceptStandardJsonOnly`; to
/// older ones fastjson's default output, with unquoted integer keys. Both C++ clients (versions
/// 63 and 333) were measured parsing both.
public enum RouteJSONStyle: Sendable, Hashable {
    /// `{"0":"host:port"}`.
    case standard
    /// `{0:"host:port"}`, not standard JSON.
    case fastjson

    /// The first version ordinal that gets standard JSON.
    public static let standardFromVersion: Int32 = 401

    /// The style for a GET_ROUTEINFO_BY_TOPIC request, from its version and its optional
    /// `acceptStandardJsonOnly` field.
    public init(for request: RemotingCommand) throws(RemotingError) {
        let standardOnly = try request.extFields.bool("acceptStandardJsonOnly") ?? false
        self = standardOnly || request.version >= RouteJSONStyle.standardFromVersion ? .standard : .fastjson
    }
}
