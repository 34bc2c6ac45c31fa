import LedgerConfig
import Posix

/// The members a client command talks to, and the group name when a config file gave one.
package struct ResolvedPeers: Sendable, Hashable {
    /// The members, in the order the source lists them.
    package var peers: [Peer]
    var group: String?
    /// The members' RocketMQ broker addresses (`remotingPeers`), when a config file gave them.
    package var remotingPeers: [Peer] = []
}

extension PeerSource {
    /// The config files read when neither `--peers` nor `-c` is given, relative to the working directory.
    static let defaultConfigPaths = ["conf/n0.conf", "conf/n1.conf", "conf/n2.conf"]

    /// Reads the peer list. For the default source, the members of every default file that
    /// exists, merged by id in file order. Throws the config file's own one-line error, or a
    /// ``ConfigError`` naming the default files when none exists.
    package func resolve() throws(ConfigError) -> ResolvedPeers {
        switch self {
        case .list(let text):
            return ResolvedPeers(peers: try Peer.parseList(text, source: "--peers"), group: nil)
        case .configFile(let path):
            let config = try NodeConfig.load(path: path)
            return ResolvedPeers(peers: config.peers, group: config.group, remotingPeers: config.remotingPeers)
        case .defaultConfigFiles:
            let paths = PeerSource.defaultConfigPaths.filter(fileExists)
            guard !paths.isEmpty else {
                throw ConfigError(
                    source: PeerSource.defaultConfigPaths.joined(separator: ", "), line: nil,
                    problem: .unreadable("none of these files exists here; pass --peers LIST or -c FILE"))
            }
            var peers: [Peer] = []
            var brokers: [Peer] = []
            var group: String?
            for path in paths {
                let config = try NodeConfig.load(path: path)
                group = group ?? config.group
                for peer in config.peers where !peers.contains(where: { $0.name == peer.name }) { peers.append(peer) }
                for broker in config.remotingPeers where !brokers.contains(where: { $0.name == broker.name }) {
                    brokers.append(broker)
                }
            }
            return ResolvedPeers(peers: peers, group: group, remotingPeers: brokers)
        }
    }
}
