/// Where a client command gets the group's peer list.
package enum PeerSource: Sendable, Hashable {
    /// `--peers LIST`, in the config files' `peers` format.
    case list(String)
    /// `-c FILE`: the `peers` of one node's config file.
    case configFile(String)
    /// Neither flag: the `peers` of `conf/n0.conf`, `conf/n1.conf` and `conf/n2.conf`, whichever exist.
    case defaultConfigFiles
}

/// The flags every client command shares.
package struct ClientFlags: Sendable, Hashable {
    /// Where the group's member list comes from.
    package var peers: PeerSource
    /// The overall timeout of one operation, retries included.
    package var timeout: Duration

    /// The defaults are what a command line without `--peers`, `-c` and `--timeout` gives.
    package init(peers: PeerSource = .defaultConfigFiles, timeout: Duration = .seconds(3)) {
        self.peers = peers
        self.timeout = timeout
    }

    static let peersFlag = FlagSpec(
        ["--peers"], value: "LIST",
        help: "the group's members, e.g. n0-127.0.0.1:40911;n1-127.0.0.1:40912 (as in config files)")
    static let configFlag = FlagSpec(
        ["--config", "-c"], value: "FILE", help: "read the member list from this node config file")
    static let timeoutFlag = FlagSpec(
        ["--timeout"], value: "MS", help: "give up after this many milliseconds, retries included (default 3000)")
    /// `--peers`, `-c` and `--timeout`, which every client command accepts.
    package static let flags = [peersFlag, configFlag, timeoutFlag]

    /// `--peers`/`-c` and `--timeout` of a client command's parsed `flags`; `command` names it in errors.
    package static func parse(_ flags: ParsedFlags, command: String) throws(UsageError) -> ClientFlags {
        var client = ClientFlags()
        switch (flags.value("--peers"), flags.value("--config")) {
        case (let list?, nil): client.peers = .list(list)
        case (nil, let path?): client.peers = .configFile(path)
        case (nil, nil): client.peers = .defaultConfigFiles
        case (_?, _?): throw UsageError("give either --peers or -c, not both", command: command)
        }
        if let milliseconds = try flags.wholeNumber("--timeout", in: 1...600_000, command: command) {
            client.timeout = .milliseconds(milliseconds)
        }
        return client
    }
}
