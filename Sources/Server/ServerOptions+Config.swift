import CommitLog
import LedgerConfig
import LedgerModel
import Posix
import Raft

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
        self.init(
            group: config.group, selfID: config.selfPeer.id, members: members, tickMilliseconds: config.tickMs,
            raft: config.raftConfig(randomSeed: randomSeed), storeDirectory: config.storeBaseDir,
            syncBeforeAcknowledging: config.flushDiskType == .sync, flushIntervalMilliseconds: config.flushIntervalMs,
            dataFileSize: config.dataFileSize, source: source)
        // `maxMessageSize` bounds a message body (RocketMQ's rule); the entry that carries it
        // also holds the command's header fields, so the Raft limit leaves room for them.
        raft.maxEntryBytes = config.maxMessageSize + LedgerServer.commandOverheadBytes
        commitLog = config.commitLogConfiguration
        do {
            try commitLog.validate()
        } catch {
            throw .configuration("\(source): \(error)")
        }
    }
}
