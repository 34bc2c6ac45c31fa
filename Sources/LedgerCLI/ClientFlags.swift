import LedgerConfig

#if canImport(Glibc)
    import Glibc
#endif

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
    /// The ACL account requests are signed with (`--access-key`/`--secret-key`, or
    /// `LEDGER_ACCESS_KEY`/`LEDGER_SECRET_KEY`); nil sends them unsigned.
    package var credentials: AccessCredentials?

    /// The defaults are what a command line without `--peers`, `-c`, `--timeout` and keys gives.
    package init(
        peers: PeerSource = .defaultConfigFiles, timeout: Duration = .seconds(3), credentials: AccessCredentials? = nil
    ) {
        self.peers = peers
        self.timeout = timeout
        self.credentials = credentials
    }

    /// The environment variables that stand in for `--access-key` and `--secret-key` (a secret
    /// in the environment stays out of `ps` and shell history).
    package static let accessKeyVariable = "LEDGER_ACCESS_KEY"
    package static let secretKeyVariable = "LEDGER_SECRET_KEY"

    /// The process environment's value of `name` (`getenv(3)`); nil when unset or empty.
    package static func processEnvironment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    static let peersFlag = FlagSpec(
        ["--peers"], value: "LIST",
        help: "the group's members, e.g. n0-127.0.0.1:40911;n1-127.0.0.1:40912 (as in config files)")
    static let configFlag = FlagSpec(
        ["--config", "-c"], value: "FILE", help: "read the member list from this node config file")
    static let timeoutFlag = FlagSpec(
        ["--timeout"], value: "MS", help: "give up after this many milliseconds, retries included (default 3000)")
    package static let accessKeyFlag = FlagSpec(
        ["--access-key"], value: "KEY",
        help: "sign requests with this ACL account (a group with aclEnable=true); or set LEDGER_ACCESS_KEY")
    package static let secretKeyFlag = FlagSpec(
        ["--secret-key"], value: "KEY", help: "the account's secret key; or set LEDGER_SECRET_KEY (kept out of ps)")
    /// `--peers`, `-c`, `--timeout`, `--access-key` and `--secret-key`, which every client
    /// command accepts.
    package static let flags = [peersFlag, configFlag, timeoutFlag, accessKeyFlag, secretKeyFlag]

    /// `--peers`/`-c`, `--timeout` and the account keys of a client command's parsed `flags`
    /// (each key from the flag, else from `environment`); `command` names it in errors.
    package static func parse(
        _ flags: ParsedFlags, command: String, environment: (String) -> String? = processEnvironment
    ) throws(UsageError) -> ClientFlags {
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
        let accessKey = flags.value("--access-key") ?? environment(accessKeyVariable)
        let secretKey = flags.value("--secret-key") ?? environment(secretKeyVariable)
        switch (accessKey, secretKey) {
        case (let accessKey?, let secretKey?):
            client.credentials = AccessCredentials(accessKey: accessKey, secretKey: secretKey)
        case (nil, nil):
            break
        case (_?, nil):
            throw UsageError(
                "--access-key needs --secret-key (or \(secretKeyVariable)) beside it", command: command)
        case (nil, _?):
            throw UsageError(
                "--secret-key needs --access-key (or \(accessKeyVariable)) beside it", command: command)
        }
        return client
    }
}
