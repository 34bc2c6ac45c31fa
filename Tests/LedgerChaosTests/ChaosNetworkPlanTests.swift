import LedgerCLI
import Testing

@testable import LedgerChaos

/// The names, addresses and command lines of `ledger chaos --netns` (no namespace is made).
@Suite struct ChaosNetworkPlanTests {
    let plan = ChaosNetworkPlan(run: 4660, nodes: 3)

    @Test func namesAndAddresses() {
        #expect(plan.hub == "ledger-4660-hub")
        #expect(plan.namespaces == ["ledger-4660-n0", "ledger-4660-n1", "ledger-4660-n2", "ledger-4660-hub"])
        // 4660 mod 256 = 52: every address in 198.18.52.0/24, inside RFC 2544's 198.18.0.0/15.
        #expect((0..<3).map(plan.address) == ["198.18.52.1", "198.18.52.2", "198.18.52.3"])
        #expect(plan.runnerAddress == "198.18.52.100")
        #expect(plan.launcher(1) == ["ip", "netns", "exec", "ledger-4660-n1"])
    }

    @Test("every command names one of the run's namespaces, so nothing is added outside them")
    func setUpStaysInsideTheRun() {
        let commands = plan.setUpCommands
        #expect(commands.first == ["ip", "netns", "add", "ledger-4660-hub"])
        for command in commands {
            let inside = command.contains { $0.hasPrefix("ledger-4660-") }
            #expect(inside, "\(command.joined(separator: " ")) names none of the run's namespaces")
        }
        #expect(
            commands.contains([
                "ip", "-n", "ledger-4660-hub", "link", "add", "n2", "type", "veth", "peer", "name", "eth0", "netns",
                "ledger-4660-n2",
            ]))
        #expect(commands.contains(["ip", "-n", "ledger-4660-n0", "addr", "add", "198.18.52.1/24", "dev", "eth0"]))
        #expect(commands.contains(["ip", "-n", "ledger-4660-hub", "addr", "add", "198.18.52.100/24", "dev", "br0"]))
    }

    @Test func cutScripts() {
        let both = plan.cutScript(0, from: [1, 2], direction: .both)
        #expect(both.hasPrefix("table inet ledger-chaos {"))
        #expect(both.contains("hook output priority 0; policy accept; ip daddr { 198.18.52.2, 198.18.52.3 } drop;"))
        #expect(both.contains("hook input priority 0; policy accept; ip saddr { 198.18.52.2, 198.18.52.3 } drop;"))
        let outbound = plan.cutScript(0, from: [1, 2], direction: .outbound)
        #expect(outbound.contains("hook output") && !outbound.contains("hook input"))
        let inbound = plan.cutScript(2, from: [0], direction: .inbound)
        #expect(!inbound.contains("hook output") && inbound.contains("ip saddr { 198.18.52.1 } drop"))
        #expect(
            plan.healCommand(2) == [
                "ip", "netns", "exec", "ledger-4660-n2", "nft", "delete", "table", "inet", "ledger-chaos",
            ])
    }

    @Test func netemCommands() {
        #expect(
            plan.netemCommands(1) == [
                [
                    "tc", "-n", "ledger-4660-n1", "qdisc", "add", "dev", "eth0", "root", "netem", "delay", "50ms",
                    "20ms", "loss", "5%", "duplicate", "1%", "reorder", "10%",
                ],
                [
                    "tc", "-n", "ledger-4660-hub", "qdisc", "add", "dev", "n1", "root", "netem", "delay", "50ms",
                    "20ms", "loss", "5%", "duplicate", "1%", "reorder", "10%",
                ],
            ])
        #expect(plan.clearNetemCommands(1)[1] == ["tc", "-n", "ledger-4660-hub", "qdisc", "del", "dev", "n1", "root"])
    }

    @Test("stale runs are recognised by name only")
    func runOfNamespace() {
        #expect(ChaosNetworkPlan.run(ofNamespace: "ledger-4660-n0") == 4660)
        #expect(ChaosNetworkPlan.run(ofNamespace: "ledger-12-hub") == 12)
        #expect(ChaosNetworkPlan.run(ofNamespace: "ledgerx-12-hub") == nil)
        #expect(ChaosNetworkPlan.run(ofNamespace: "ledger-hub") == nil)
        #expect(ChaosNetworkPlan.run(ofNamespace: "other") == nil)
        #expect(
            ChaosNetworkPlan.namespaces(inListing: "ledger-1-n0 (id: 3)\nledger-1-hub (id: 2)\nfoo\n") == [
                "ledger-1-n0", "ledger-1-hub", "foo",
            ])
    }

    @Test("--netns needs root; netem needs --netns")
    func netnsFlags() throws {
        let title = ChaosCommand.title
        let parse = { (arguments: [String], isRoot: Bool) throws(UsageError) -> ChaosOptions in
            try ChaosOptions.parse(
                try FlagParser.parse(arguments, flags: ChaosOptions.flags, command: title), environment: { _ in nil },
                isRoot: isRoot)
        }
        #expect(try parse(["--netns", "--faults", "partition,netem"], true).netns)
        #expect(try parse(["--netns", "--faults", "partition,netem"], true).faults == [.partition, .netem])
        do {
            _ = try parse(["--netns"], false)
            Issue.record("--netns accepted without root")
        } catch {
            #expect(error.description.contains("--netns needs root"))
        }
        do {
            _ = try parse(["--faults", "netem"], true)
            Issue.record("netem accepted without --netns")
        } catch {
            #expect(error.description.contains("netem needs --netns"))
        }
    }
}
