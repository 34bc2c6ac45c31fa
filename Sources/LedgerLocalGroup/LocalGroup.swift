import LedgerConfig
import Posix
import Raft
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A group of real `ledger server` processes on loopback ports, in a directory of its own:
/// config files `nK.conf`, data under `data/nK`, each node's stderr in `nK.log`, and the group
/// secret the nodes authenticate each other with, `cluster.secret`.
///
/// Used by `ledger bench --spawn`, `ledger bench-failover`, `ledger chaos` and the process-level
/// tests. Every process it starts is SIGKILLed and reaped by ``shutDown()``, which `deinit`
/// also calls, so a failing test leaves nothing running.
package final class LocalGroup {
    /// The `ledger` executable the nodes run.
    let binary: String
    /// Extra flags for every `ledger server` started.
    let serverFlags: [String]
    /// Where configs, data and logs live.
    let directory: String
    /// The members, `n0` first.
    package let peers: [Peer]
    /// Each member's admin HTTP port (`adminPort`), in the order of ``peers``; empty when the
    /// group was made without them.
    package let adminPorts: [UInt16]
    /// The group secret's file, `cluster.secret` in ``directory``.
    package var secretPath: String { "\(directory)/cluster.secret" }
    /// Each member's RocketMQ broker port (`listenPort`) and NameServer port (`namesrvPort`), in
    /// the order of ``peers``; empty when the group was made without them.
    package let brokerPorts: [UInt16]
    package let nameServerPorts: [UInt16]
    /// What each node's `ledger server` command line is prefixed with, in the order of
    /// ``peers`` (empty: run the binary itself).
    let launchers: [[String]]
    private var processes: [NodeID: ChildProcess] = [:]

    /// Writes the config files of a `size`-node group and its secret; starts nothing. Each file
    /// holds `group`, `selfId`, `peers`, `storeBaseDir` and `clusterSecretFile` (32 random bytes
    /// in ``secretPath``, mode 0600), then the `settings` lines (`key=value`) as given.
    ///
    /// Ports come from 20000–31999, below Linux's ephemeral range (32768 and up) so an outgoing
    /// connection can never hold a node's port while the node is down; each is checked free by
    /// binding it.
    /// `serverFlags` are added to every `ledger server` command line (e.g. `--fault-injection`).
    /// With `adminPorts`, each node also gets a free `adminPort` of its own; with `remoting`, a
    /// free `listenPort` and `namesrvPort` (and `remotingPeers` naming every broker port).
    /// With `placement`, the nodes listen on its addresses and are started through its launchers
    /// instead (`size` is its number of hosts; neither admin nor remoting ports).
    package init(
        binary: String, directory: String, size: Int = 3, settings: [String] = [], serverFlags: [String] = [],
        adminPorts: Bool = false, remoting: Bool = false, placement: LocalGroupPlacement? = nil
    ) throws(HarnessError) {
        precondition(
            placement.map { $0.hosts.count == size && !adminPorts && !remoting } ?? true,
            "a placement names every node and has no admin or remoting ports")
        self.binary = binary
        self.serverFlags = serverFlags
        self.directory = directory
        launchers = placement?.launchers ?? Array(repeating: [], count: size)
        let ports: [UInt16]
        if let placement {
            ports = Array(repeating: placement.port, count: size)
        } else {
            ports = try LocalGroup.freePorts(count: size * (1 + (adminPorts ? 1 : 0) + (remoting ? 2 : 0)))
        }
        let hosts = placement?.hosts ?? Array(repeating: "127.0.0.1", count: size)
        var rest = ports.dropFirst(size)
        self.adminPorts = adminPorts ? Array(rest.prefix(size)) : []
        rest = adminPorts ? rest.dropFirst(size) : rest
        brokerPorts = remoting ? Array(rest.prefix(size)) : []
        nameServerPorts = remoting ? Array(rest.dropFirst(size)) : []
        peers = ports.prefix(size).enumerated().map {
            Peer(name: "n\($0.offset)", id: NodeID(UInt64($0.offset)), host: hosts[$0.offset], port: $0.element)
        }
        let list = peerList
        let brokers = zip(peers, brokerPorts).map { "\($0.name)-127.0.0.1:\($1)" }.joined(separator: ";")
        do {
            try writeFile(secretPath, try SystemRandom.bytes(count: 32), mode: 0o600)
            try setPermissions(secretPath, 0o600)
        } catch {
            throw HarnessError("cannot write the group secret: \(error)")
        }
        do {
            for (position, peer) in peers.enumerated() {
                var remotingLines: [String] = []
                if remoting {
                    remotingLines = [
                        "listenPort=\(brokerPorts[position])", "namesrvPort=\(nameServerPorts[position])",
                        "remotingPeers=\(brokers)",
                    ]
                }
                let lines =
                    [
                        "group=test", "selfId=\(peer.name)", "peers=\(list)",
                        "storeBaseDir=\(storeDirectory(peer.id))", "clusterSecretFile=\(secretPath)",
                    ] + self.adminPorts.dropFirst(position).prefix(1).map { "adminPort=\($0)" } + remotingLines
                    + settings
                try writeFile(configPath(peer.id), Array((lines.joined(separator: "\n") + "\n").utf8))
            }
        } catch {
            throw HarnessError("cannot write the cluster's config files: \(error)")
        }
    }

    deinit { shutDown() }

    /// The `--peers` value for this group.
    var peerList: String { peers.map(\.description).joined(separator: ";") }

    /// The config file of node `id`, `nK.conf` in ``directory``.
    package func configPath(_ id: NodeID) -> String { "\(directory)/n\(id.rawValue).conf" }
    /// Node `id`'s `storeBaseDir`, `data/nK` in ``directory``.
    package func storeDirectory(_ id: NodeID) -> String { "\(directory)/data/n\(id.rawValue)" }
    /// Where node `id`'s stdout and stderr go: `nK.log` in ``directory``.
    package func logPath(_ id: NodeID) -> String { "\(directory)/n\(id.rawValue).log" }

    /// The command line that starts node `id`: its launcher, if any, then
    /// `ledger server -c nK.conf` and the server flags.
    package func commandLine(_ id: NodeID) -> [String] {
        launchers[Int(id.rawValue)] + [binary, "server", "-c", configPath(id)] + serverFlags
    }

    /// Starts node `id` (``commandLine(_:)``, stdout and stderr appended to `nK.log`).
    /// Precondition: it is not running.
    package func start(_ id: NodeID) throws(HarnessError) {
        precondition(!isRunning(id), "node n\(id.rawValue) is already running")
        let command = commandLine(id)
        do {
            processes[id] = try ChildProcess.spawn(
                command[0], Array(command.dropFirst()), stdoutPath: logPath(id), stderrPath: logPath(id))
        } catch {
            throw HarnessError("cannot start node n\(id.rawValue) from \(binary): \(error)")
        }
    }

    /// Starts every node that is not running.
    package func startAll() throws(HarnessError) {
        for peer in peers where !isRunning(peer.id) { try start(peer.id) }
    }

    /// Whether node `id` was started and has not ended.
    package func isRunning(_ id: NodeID) -> Bool { processes[id]?.isRunning ?? false }

    /// The process id of node `id`, or nil when it was not started (or was killed since).
    package func pid(of id: NodeID) -> pid_t? { processes[id]?.pid }

    /// SIGKILLs node `id` (`kill -9`) and reaps it. Precondition: it was started.
    @discardableResult
    package func kill(_ id: NodeID) -> ExitStatus {
        guard let process = processes.removeValue(forKey: id) else {
            preconditionFailure("node n\(id.rawValue) was not started")
        }
        return process.kill()
    }

    /// Sends `signal` to node `id` without waiting (SIGSTOP and SIGCONT for the chaos runner's
    /// pauses). Precondition: it was started.
    package func signal(_ id: NodeID, _ signal: Int32) {
        guard let process = processes[id] else { preconditionFailure("node n\(id.rawValue) was not started") }
        process.send(signal)
    }

    /// Sends SIGTERM to node `id` and waits up to `timeout` for it to exit; returns how it ended,
    /// or nil (after SIGKILLing it) when it did not exit in time. Precondition: it was started.
    package func terminate(_ id: NodeID, timeout: Duration = .seconds(10)) -> ExitStatus? {
        guard let process = processes.removeValue(forKey: id) else {
            preconditionFailure("node n\(id.rawValue) was not started")
        }
        process.send(SIGTERM)
        if let status = process.wait(timeout: timeout) { return status }
        process.kill()
        return nil
    }

    /// SIGKILLs and reaps every node still running. Safe to call more than once.
    package func shutDown() {
        for process in processes.values { process.kill() }
        processes.removeAll()
    }

    /// The last `lines` lines of node `id`'s log, for failure messages; when the node crashed,
    /// the lines around the crash report's first line instead (its message and top frames,
    /// which a register dump would otherwise push out of the tail).
    func logTail(_ id: NodeID, lines: Int = 20) -> String {
        do {
            let text = String(decoding: try readFile(logPath(id)), as: UTF8.self)
            let all = text.split(separator: "\n", omittingEmptySubsequences: false)
            if let crash = all.firstIndex(where: { $0.contains("Fatal error") || $0.contains("Program crashed") }) {
                return all[max(0, crash - lines / 2)..<min(all.count, crash + 2 * lines)].joined(separator: "\n")
            }
            return all.suffix(lines).joined(separator: "\n")
        } catch {
            return "(no log: \(error))"
        }
    }

    /// `count` distinct loopback ports that could be bound just now. Searches continue where
    /// the last search of this process stopped (the first starts at an offset taken from the
    /// process id), so two clusters of one process never get the same ports even before their
    /// nodes bind them.
    static func freePorts(count: Int) throws(HarnessError) -> [UInt16] {
        let low = 20_000
        let span = 12_000
        return try nextPortOffset.withLock { (next) throws(HarnessError) -> [UInt16] in
            var offset = next ?? Int(getpid()) * 7919 % span
            var ports: [UInt16] = []
            for _ in 0..<span where ports.count < count {
                let port = UInt16(low + offset % span)
                offset += 1
                do throws(SystemError) {
                    let socket = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: port))
                    socket.close()
                    ports.append(port)
                } catch  where error.errno == EADDRINUSE || error.errno == EACCES {
                    continue
                } catch {
                    throw HarnessError("cannot probe loopback port \(port): \(error)")
                }
            }
            next = offset % span
            guard ports.count == count else {
                throw HarnessError("no \(count) free loopback ports in \(low)–\(low + span - 1)")
            }
            return ports
        }
    }
}

/// Where the next port search of this process starts, as an offset into the port range; nil
/// until the first search.
private let nextPortOffset = Mutex<Int?>(nil)
