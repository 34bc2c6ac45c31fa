/// Where the nodes of a ``LocalGroup`` listen and how each is started, when they are not all on
/// loopback: `ledger chaos --netns` puts each in a network namespace of its own.
package struct LocalGroupPlacement: Sendable, Hashable {
    /// Each node's address, `n0` first.
    package var hosts: [String]
    /// The port every node listens on (each on an address of its own, so one port serves all).
    package var port: UInt16
    /// What each node's `ledger server` command line is prefixed with, `n0` first: an absolute
    /// executable path and its arguments, e.g. `/usr/sbin/ip netns exec NAME`.
    package var launchers: [[String]]

    /// A placement of `hosts` on `port`, each node started through its entry in `launchers`.
    package init(hosts: [String], port: UInt16, launchers: [[String]]) {
        precondition(hosts.count == launchers.count, "one launcher per host")
        self.hosts = hosts
        self.port = port
        self.launchers = launchers
    }
}
