import LedgerCLI
import LedgerLocalGroup
import Posix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The network namespaces of one `ledger chaos --netns` run (``ChaosNetworkPlan``): builds
/// them, cuts and degrades node links on the nemesis's behalf, and removes everything it made
/// when the run ends, on a failure, or on SIGINT/SIGTERM (``ChaosSignalCleanup``: the processes
/// in the nodes' namespaces are killed and the namespaces deleted, then the runner exits 130/143). A crashed run's leftovers
/// are removed by the next run: any `ledger-<run>-…` namespace whose process `<run>` no longer
/// exists.
///
/// The calling thread is moved into the hub namespace, so every thread it starts afterwards
/// (the workload, the poller) talks to the nodes from the runner's address; ``tearDown()``
/// moves it back.
final class ChaosNetwork: Sendable {
    let plan: ChaosNetworkPlan
    private let tools: Tools
    private let scratchDirectory: String
    /// The namespace the runner came from, while it is in the hub; nil once torn down.
    private let state: Mutex<(home: FileDescriptor?, cutNodes: Set<Int>, netemNodes: Set<Int>, removed: Bool)>

    /// Absolute paths of the programs the network is built with.
    struct Tools: Sendable {
        var ip: String
        var tc: String
        var nft: String

        func path(_ tool: String) -> String {
            switch tool {
            case "ip": ip
            case "tc": tc
            case "nft": nft
            default: preconditionFailure("no tool \(tool)")
            }
        }
    }

    /// Builds the network of a `nodes`-node run numbered by this process's id, after removing
    /// any stale run's; moves the calling thread into the hub namespace and starts the
    /// SIGINT/SIGTERM watcher. `scratchDirectory` holds the commands' captured output.
    init(nodes: Int, scratchDirectory: String) throws(HarnessError) {
        plan = ChaosNetworkPlan(run: getpid(), nodes: nodes)
        self.scratchDirectory = scratchDirectory
        tools = try ChaosNetwork.findTools(scratchDirectory: scratchDirectory)
        state = Mutex((home: nil, cutNodes: [], netemNodes: [], removed: false))
        try removeStaleRuns()
        let network = self
        ChaosSignalCleanup.register("removing the run's namespaces \(plan.runPrefix)*") { network.tearDown() }
        do throws(HarnessError) {
            for command in plan.setUpCommands { try run(command) }
            let home: FileDescriptor
            do {
                home = try NetworkNamespace.current()
                try NetworkNamespace.enter(named: plan.hub)
            } catch {
                throw HarnessError("cannot enter the runner's namespace \(plan.hub): \(error)")
            }
            state.withLock { $0.home = home }
        } catch {
            tearDown()
            throw error
        }
    }

    /// Where the nodes listen and how each is started (`ip netns exec ledger-<run>-nK`).
    var placement: LocalGroupPlacement {
        LocalGroupPlacement(
            hosts: (0..<plan.nodes).map(plan.address), port: ChaosNetworkPlan.port,
            launchers: (0..<plan.nodes).map { node in
                let launcher = plan.launcher(node)
                return [tools.path(launcher[0])] + launcher.dropFirst()
            })
    }

    /// Why netem faults cannot run on this kernel, or nil when they can (tried on node 0's link).
    func netemProblem() -> String? {
        do {
            for command in plan.netemCommands(0) { try run(command) }
            for command in plan.clearNetemCommands(0) { try run(command) }
            return nil
        } catch {
            return "this kernel has no usable netem qdisc (CONFIG_NET_SCH_NETEM): \(error)"
        }
    }

    /// Cuts `node` off from `peers` in `direction` with nft rules in its namespace.
    func cut(_ node: Int, from peers: [Int], direction: ChaosCut) throws(HarnessError) {
        let command = ["ip", "netns", "exec", plan.namespace(node), "nft", "-f", "-"]
        try run(command, stdin: plan.cutScript(node, from: peers, direction: direction))
        state.withLock { _ = $0.cutNodes.insert(node) }
    }

    /// Puts netem on both ends of `node`'s link.
    func degrade(_ node: Int) throws(HarnessError) {
        for command in plan.netemCommands(node) { try run(command) }
        state.withLock { _ = $0.netemNodes.insert(node) }
    }

    /// Heals `node`'s cut, if it has one.
    func healCut(_ node: Int) throws(HarnessError) {
        guard state.withLock({ $0.cutNodes.contains(node) }) else { return }
        try run(plan.healCommand(node))
        state.withLock { _ = $0.cutNodes.remove(node) }
    }

    /// Takes netem off `node`'s link, if it has it.
    func restore(_ node: Int) throws(HarnessError) {
        guard state.withLock({ $0.netemNodes.contains(node) }) else { return }
        for command in plan.clearNetemCommands(node) { try run(command) }
        state.withLock { _ = $0.netemNodes.remove(node) }
    }

    /// Heals every cut and takes netem off every link that has it.
    func healAll() throws(HarnessError) {
        let (cut, degraded) = state.withLock { ($0.cutNodes.sorted(), $0.netemNodes.sorted()) }
        for node in cut { try healCut(node) }
        for node in degraded { try restore(node) }
    }

    /// Moves the calling thread back to the namespace it came from, SIGKILLs whatever still runs
    /// in the nodes' namespaces and deletes every namespace of the run (the links and the bridge
    /// go with them). Safe to call more than once and from any thread; problems are printed.
    func tearDown() {
        let home: FileDescriptor? = state.withLock { state in
            if state.removed { return nil }
            state.removed = true
            defer { state.home = nil }
            return state.home
        }
        if let home {
            do {
                try NetworkNamespace.enter(home)
                try home.close()
            } catch {
                Console.error("ledger chaos: cannot return to the runner's own network namespace: \(error)")
            }
        }
        for problem in ChaosNetwork.remove(plan.namespaces, tools: tools, scratchDirectory: scratchDirectory) {
            Console.error("ledger chaos: \(problem)")
        }
    }

    /// Removes the namespaces of runs whose process no longer exists.
    private func removeStaleRuns() throws(HarnessError) {
        let listing = try run(["ip", "netns", "list"])
        let stale = ChaosNetworkPlan.namespaces(inListing: listing).filter { name in
            guard let run = ChaosNetworkPlan.run(ofNamespace: name), run != plan.run else { return false }
            return ChaosTools.runIsOver(run)
        }
        // Node namespaces first, so their processes are gone before the hub's links are.
        let ordered = stale.filter { !$0.hasSuffix("-hub") } + stale.filter { $0.hasSuffix("-hub") }
        if !ordered.isEmpty {
            Console.out("chaos: removing a stale run's namespaces: \(ordered.joined(separator: " "))")
        }
        let problems = ChaosNetwork.remove(ordered, tools: tools, scratchDirectory: scratchDirectory)
        if let first = problems.first { throw HarnessError("cannot remove a stale run's namespaces: \(first)") }
    }

    /// Kills the processes in each namespace of `names` and deletes it; returns what failed.
    private static func remove(_ names: [String], tools: Tools, scratchDirectory: String) -> [String] {
        var problems: [String] = []
        for name in names {
            do throws(HarnessError) {
                let pids = try command(["ip", "netns", "pids", name], tools: tools, scratchDirectory: scratchDirectory)
                for pid in pids.split(separator: "\n").compactMap({ pid_t($0) }) where pid != getpid() {
                    _ = Glibc.kill(pid, SIGKILL)
                }
                _ = try command(["ip", "netns", "del", name], tools: tools, scratchDirectory: scratchDirectory)
            } catch {
                problems.append(error.description)
            }
        }
        return problems
    }

    @discardableResult
    private func run(_ command: [String], stdin: String = "") throws(HarnessError) -> String {
        try ChaosNetwork.command(command, stdin: stdin, tools: tools, scratchDirectory: scratchDirectory)
    }

    /// Runs `command` (its first word a tool's name) and returns its output; throws when it fails.
    private static func command(_ command: [String], stdin: String = "", tools: Tools, scratchDirectory: String)
        throws(HarnessError) -> String
    {
        try ChaosTools.run(
            tools.path(command[0]), Array(command.dropFirst()), stdin: stdin, text: command.joined(separator: " "),
            scratchDirectory: scratchDirectory)
    }

    /// Finds `ip`, `tc` and `nft`, installing iproute2 or nftables with apt-get when missing.
    private static func findTools(scratchDirectory: String) throws(HarnessError) -> Tools {
        func locate(_ tool: String, _ package: String) throws(HarnessError) -> String {
            try ChaosTools.locate(tool, package: package, for: "--netns", scratchDirectory: scratchDirectory)
        }
        return Tools(
            ip: try locate("ip", "iproute2"), tc: try locate("tc", "iproute2"), nft: try locate("nft", "nftables"))
    }
}
