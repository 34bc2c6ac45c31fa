/// Which way a kernel partition cuts a node off from its peers.
enum ChaosCut: String, Sendable, Hashable, CaseIterable {
    /// Neither side hears the other.
    case both
    /// The node's packets to its peers are dropped; theirs still reach it.
    case outbound
    /// The peers' packets to the node are dropped; its own still reach them.
    case inbound
}

/// The network of one `ledger chaos --netns` run, as names, addresses and command lines (no
/// I/O; ``ChaosNetwork`` runs them).
///
/// Namespace `ledger-<run>-hub` holds bridge `br0` with the runner's address; each node `K` has
/// namespace `ledger-<run>-nK`, whose `eth0` is one end of a veth pair whose other end, `nK`, is
/// a port of the bridge. Addresses come from 198.18.0.0/15 (RFC 2544, never routed):
/// `198.18.<run mod 256>.<K+1>/24` for the nodes, `.100` for the runner. Every address and link
/// lives inside the run's namespaces, so the run's traffic reaches only the run's hosts, and two
/// runs on one machine never see each other even when their subnets coincide.
struct ChaosNetworkPlan: Sendable, Hashable {
    /// What every namespace of every run is named with first.
    static let namePrefix = "ledger-"
    /// The nft table partitions add to a node's namespace (and delete to heal).
    static let partitionTable = "ledger-chaos"
    /// The port every node listens on (each has an address of its own).
    static let port: UInt16 = 7000
    /// What `netem` faults apply to both ends of a node's link.
    static let netemSettings = ["delay", "50ms", "20ms", "loss", "5%", "duplicate", "1%", "reorder", "10%"]

    /// The run's number: the runner's process id, so a stale run's leftovers can be told from a
    /// live run's by whether that process still exists.
    let run: Int32
    /// How many nodes.
    let nodes: Int

    /// What every namespace of this run is named with first, `ledger-<run>-`.
    var runPrefix: String { "\(ChaosNetworkPlan.namePrefix)\(run)-" }
    /// The namespace of the bridge and the runner.
    var hub: String { "\(runPrefix)hub" }
    /// The namespace of node `node`.
    func namespace(_ node: Int) -> String { "\(runPrefix)n\(node)" }
    /// Every namespace of the run, the nodes' first (removed in this order).
    var namespaces: [String] { (0..<nodes).map(namespace) + [hub] }

    private var subnet: String { "198.18.\(run % 256)" }
    /// Node `node`'s address.
    func address(_ node: Int) -> String { "\(subnet).\(node + 1)" }
    /// The runner's address, on the bridge.
    var runnerAddress: String { "\(subnet).100" }

    /// The commands that build the network, in order (`ip` and its arguments).
    var setUpCommands: [[String]] {
        var commands: [[String]] = [
            ["ip", "netns", "add", hub],
            ["ip", "-n", hub, "link", "set", "lo", "up"],
            ["ip", "-n", hub, "link", "add", "br0", "type", "bridge"],
            ["ip", "-n", hub, "addr", "add", "\(runnerAddress)/24", "dev", "br0"],
            ["ip", "-n", hub, "link", "set", "br0", "up"],
        ]
        for node in 0..<nodes {
            let name = namespace(node)
            commands += [
                ["ip", "netns", "add", name],
                ["ip", "-n", hub, "link", "add", "n\(node)", "type", "veth", "peer", "name", "eth0", "netns", name],
                ["ip", "-n", hub, "link", "set", "n\(node)", "master", "br0"],
                ["ip", "-n", hub, "link", "set", "n\(node)", "up"],
                ["ip", "-n", name, "link", "set", "lo", "up"],
                ["ip", "-n", name, "addr", "add", "\(address(node))/24", "dev", "eth0"],
                ["ip", "-n", name, "link", "set", "eth0", "up"],
            ]
        }
        return commands
    }

    /// What node `node`'s `ledger server` command line is prefixed with.
    func launcher(_ node: Int) -> [String] { ["ip", "netns", "exec", namespace(node)] }

    /// The nft script that cuts `node` off from `peers` in `direction`, run with
    /// `ip netns exec <node's namespace> nft -f -`: its own namespace drops what it would send
    /// to them and/or what arrives from them, so the runner still reaches it.
    func cutScript(_ node: Int, from peers: [Int], direction: ChaosCut) -> String {
        let set = "{ " + peers.map(address).joined(separator: ", ") + " }"
        var chains: [String] = []
        if direction != .inbound {
            chains.append("chain output { type filter hook output priority 0; policy accept; ip daddr \(set) drop; }")
        }
        if direction != .outbound {
            chains.append("chain input { type filter hook input priority 0; policy accept; ip saddr \(set) drop; }")
        }
        return "table inet \(ChaosNetworkPlan.partitionTable) {\n"
            + chains.map { "    \($0)\n" }.joined() + "}\n"
    }

    /// The command that heals a cut of `node`.
    func healCommand(_ node: Int) -> [String] {
        ["ip", "netns", "exec", namespace(node), "nft", "delete", "table", "inet", ChaosNetworkPlan.partitionTable]
    }

    /// The commands that put netem on both ends of `node`'s link (so each direction is delayed,
    /// lost, duplicated and reordered).
    func netemCommands(_ node: Int) -> [[String]] {
        [
            ["tc", "-n", namespace(node), "qdisc", "add", "dev", "eth0", "root", "netem"]
                + ChaosNetworkPlan.netemSettings,
            ["tc", "-n", hub, "qdisc", "add", "dev", "n\(node)", "root", "netem"] + ChaosNetworkPlan.netemSettings,
        ]
    }

    /// The commands that take netem off `node`'s link again.
    func clearNetemCommands(_ node: Int) -> [[String]] {
        [
            ["tc", "-n", namespace(node), "qdisc", "del", "dev", "eth0", "root"],
            ["tc", "-n", hub, "qdisc", "del", "dev", "n\(node)", "root"],
        ]
    }

    /// The run number of a namespace some run named (`ledger-<run>-…`), or nil for any other name.
    static func run(ofNamespace name: String) -> Int32? {
        guard name.hasPrefix(namePrefix) else { return nil }
        let rest = name.dropFirst(namePrefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        return Int32(rest[..<dash])
    }

    /// The namespace names in `ip netns list` output (each line starts with one).
    static func namespaces(inListing listing: String) -> [String] {
        listing.split(separator: "\n").compactMap { line in line.split(separator: " ").first.map(String.init) }
    }
}
