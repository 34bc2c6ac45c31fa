import CommitLog
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Replica

extension ServerOptions {
    /// The runtime options for a parsed node configuration. `randomSeed` seeds election jitter.
    public init(config: NodeConfig, source: String, randomSeed: UInt64) throws(ServerError) {
        var members: [Member] = []
        for peer in config.peers.sorted(by: { $0.id < $1.id }) {
            let host = peer.host == "localhost" ? "127.0.0.1" : peer.host
            guard let address = SocketAddress("\(host):\(peer.port)") else {
                throw .configuration(
                    "\(source): peers: \(peer.name) has host \"\(peer.host)\"; expected an IPv4 address such as 127.0.0.1"
                )
            }
            members.append(Member(id: peer.id, name: peer.name, address: address))
        }
        let me = members.first { $0.id == config.selfPeer.id }!
        // The store host in every record and offset message id is where RocketMQ clients reach
        // the node that stored the message, as in RocketMQ: its remoting front end (`listenPort`,
        // bound on its host from `peers`) when it has one, else its peer address.
        // rocketmq-client-cpp 1.x sends CONSUMER_SEND_MSG_BACK to a message's store host.
        let host = config.selfPeer.host == "localhost" ? "127.0.0.1" : config.selfPeer.host
        let storeAddress = config.listenPort.map { "\(host):\($0)" } ?? me.address.description
        guard let storeHost = HostAddress(parsing: storeAddress) else {
            throw .configuration("\(source): own address \(storeAddress) is not an IPv4 host:port")
        }
        var raft = config.raftConfig(randomSeed: randomSeed)
        // `maxMessageSize` bounds a message body (RocketMQ's rule); the entry that carries it
        // also holds the command's header fields, so the Raft limit leaves room for them.
        raft.maxEntryBytes = config.maxMessageSize + Replica.commandOverheadBytes
        var replica = ReplicaConfiguration(
            group: config.group, raft: raft,
            members: members.map { ReplicaMember(id: $0.id, name: $0.name, address: $0.address.description) },
            storeHost: storeHost)
        replica.syncBeforeAcknowledging = config.flushDiskType == .sync
        replica.flushIntervalMilliseconds = Int64(config.flushIntervalMs)
        replica.diskSpaceWarningLevelRatio = config.diskSpaceWarningLevelRatio
        replica.retention.fileReservedMilliseconds = config.fileReservedTimeMs
        replica.retention.deleteWhenHours = config.deleteWhenHours
        replica.retention.diskMaxUsedSpaceRatio = config.diskMaxUsedSpaceRatio
        replica.retention.diskSpaceCleanForciblyRatio = config.diskSpaceCleanForciblyRatio
        replica.maxReconsumeTimes = Int32(config.maxReconsumeTimes)
        replica.transactions.timeoutMilliseconds = Int64(config.transactionTimeOutMs)
        replica.transactions.checkIntervalMilliseconds = Int64(config.transactionCheckIntervalMs)
        replica.transactions.checkMax = Int32(config.transactionCheckMax)
        // Read once, at start: after a daylight-saving change `deleteWhen` hours are off by
        // one until the node restarts.
        replica.retention.utcOffsetSeconds = WallClock.now().utcOffsetSeconds
        self.init(
            replica: replica, members: members, tickMilliseconds: config.tickMs, storeDirectory: config.storeBaseDir,
            dataFileSize: config.dataFileSize, source: source)
        if let port = config.adminPort {
            guard let address = SocketAddress("\(config.adminAddress):\(port)") else {
                throw .configuration(
                    "\(source): adminAddress: cannot use \"\(config.adminAddress)\" as an IPv4 address")
            }
            admin = address
        }
        adminMetricsOpen = config.adminMetricsOpen
        do {
            clusterSecret = try config.loadClusterSecret(source: source)
            // Stamped before it is read: a change made meanwhile shows at the first check.
            let stamp: FileStamp?
            do {
                stamp = config.aclEnable ? try fileStamp(config.aclFile) : nil
            } catch {
                stamp = nil  // The read below fails too, naming the file.
            }
            if let acl = try config.loadAccessControlList(source: source) {
                self.acl = AclOptions(path: config.aclFile, initial: acl, initialStamp: stamp)
            }
        } catch {
            throw .configuration(error.description)
        }
        if let listenPort = config.listenPort {
            let host = me.address.description.split(separator: ":")[0]
            guard let broker = SocketAddress("\(host):\(listenPort)") else {
                throw .configuration("\(source): listenPort: cannot bind \(host):\(listenPort)")
            }
            let nameServer = config.namesrvPort.flatMap { SocketAddress("\(host):\($0)") }
            remoting = RemotingOptions(
                broker: broker, nameServer: nameServer,
                brokerAddresses: config.remotingPeers.sorted { $0.id < $1.id }.map {
                    (id: $0.id, address: $0.host == "localhost" ? "127.0.0.1:\($0.port)" : $0.address)
                })
        }
        maxConnections = config.maxConnections
        remoting?.maxConnections = config.maxConnections
        stalledConnectionTimeout = .milliseconds(config.stalledConnectionTimeoutMs)
        maxOutboundBytesPerConnection = config.maxOutboundBytesPerConnection
        commitLog = config.commitLogConfiguration
        var seeds = SplitMix64(seed: randomSeed ^ 0x5EED_1D8E)
        commitLog.uniqueKeyIndexSeed = seeds.next()
        do {
            try commitLog.validate()
        } catch {
            throw .configuration("\(source): \(error)")
        }
    }
}
