import LedgerCLI
import LedgerModel
import Testing

@testable import LedgerCLI

/// Parsing of `ledger send`, `pull`, `offsets` and `topics` (the flags are issue 5's contract).
@Suite struct MessageInvocationTests {
    @Test func sendFlags() throws {
        var expected = SendOptions(topic: "Orders")
        #expect(try Invocation.parse(["send", "--topic", "Orders"]) == .messages(.send(ClientFlags(), expected)))

        expected.tags = "TagA"
        expected.keys = ["k1", "k2"]
        expected.target = .shardingKey("user-7")
        expected.properties = ["a": "1", "b": "x=y"]
        expected.mode = .async
        expected.body = "--property"
        let arguments = [
            "send", "--topic", "Orders", "--tags", "TagA", "--keys", "k1 k2", "--key", "user-7", "--property", "a=1",
            "--property=b=x=y", "--mode", "async", "--body", "--property", "--timeout", "9000",
        ]
        #expect(
            try Invocation.parse(arguments)
                == .messages(.send(ClientFlags(timeout: .milliseconds(9000)), expected)))

        var queued = SendOptions(topic: "T")
        queued.target = .queue(3)
        queued.mode = .oneway
        #expect(
            try Invocation.parse(["send", "--topic", "T", "--queue", "3", "--mode", "oneway"])
                == .messages(.send(ClientFlags(), queued)))

        var delayed = SendOptions(topic: "T")
        delayed.properties = ["DELAY": "3"]
        #expect(
            try Invocation.parse(["send", "--topic", "T", "--delay-level", "3"])
                == .messages(.send(ClientFlags(), delayed)))
    }

    @Test func pullOffsetsTopicsFlags() throws {
        var pull = PullOptions(topic: "T", queueID: 2)
        #expect(
            try Invocation.parse(["pull", "--topic", "T", "--queue", "2"]) == .messages(.pull(ClientFlags(), pull)))
        pull.offset = 5
        pull.maxCount = 100
        pull.tags = "A || B"
        pull.group = "g"
        pull.commit = true
        pull.json = true
        pull.waitMilliseconds = 1500
        let arguments = [
            "pull", "--topic", "T", "--queue", "2", "--offset", "5", "--max", "100", "--tags", "A || B", "--group", "g",
            "--commit", "--json", "--wait", "1500",
        ]
        #expect(try Invocation.parse(arguments) == .messages(.pull(ClientFlags(), pull)))
        #expect(
            try Invocation.parse(["offsets", "--group", "g", "--topic", "T"])
                == .messages(.offsets(ClientFlags(), group: "g", topic: "T", json: false)))
        #expect(try Invocation.parse(["topics", "--json"]) == .messages(.topics(ClientFlags(), json: true)))
    }

    @Test(arguments: [
        (["send"], "ledger send: --topic T is required; see ledger send --help"),
        (
            ["send", "--topic", "T", "--key", "k", "--queue", "1"],
            "ledger send: give either --key or --queue, not both; see ledger send --help"
        ),
        (
            ["send", "--topic", "T", "--mode", "fast"],
            "ledger send: --mode: expected sync, async or oneway, got \"fast\"; see ledger send --help"
        ),
        (
            ["send", "--topic", "T", "--property", "novalue"],
            "ledger send: --property: expected K=V, got \"novalue\"; see ledger send --help"
        ),
        (
            ["send", "--topic", "T", "--property", "a=1", "--property", "a=2"],
            "ledger send: --property: a given twice; see ledger send --help"
        ),
        (
            ["send", "--topic", "T", "--delay-level", "0"],
            "ledger send: --delay-level: expected a whole number from 1 to 64, got \"0\"; see ledger send --help"
        ),
        (
            ["send", "--topic", "T", "--delay-level", "2", "--property", "DELAY=3"],
            "ledger send: give either --delay-level or --property DELAY=N, not both; see ledger send --help"
        ),
        (["pull", "--topic", "T"], "ledger pull: --queue N is required; see ledger pull --help"),
        (
            ["pull", "--topic", "T", "--queue", "0", "--offset", "-1"],
            "ledger pull: --offset: expected a queue offset (0 or more), got \"-1\"; see ledger pull --help"
        ),
        (
            ["pull", "--topic", "T", "--queue", "0", "--commit"],
            "ledger pull: --commit needs --group G; see ledger pull --help"
        ),
        (
            ["pull", "--topic", "T", "--queue", "0", "--max", "0"],
            "ledger pull: --max: expected a whole number from 1 to 1024, got \"0\"; see ledger pull --help"
        ),
        (
            ["pull", "--topic", "T", "--queue", "0", "--property", "a=b"],
            "ledger pull: unknown flag \"--property\"; see ledger pull --help"
        ),
        (["offsets"], "ledger offsets: --group G is required; see ledger offsets --help"),
    ])
    func usageErrors(arguments: [String], message: String) {
        do {
            let parsed = try Invocation.parse(arguments)
            Issue.record("\(arguments) parsed as \(parsed)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func helpListsEveryFlag() throws {
        guard case .help(let main) = try Invocation.parse(["--help"]) else {
            Issue.record("--help did not give help")
            return
        }
        for command in ["send", "pull", "offsets", "topics"] {
            #expect(main.contains("  \(command) "), "ledger --help lacks \(command)")
            guard case .help(let text) = try Invocation.parse([command, "--bogus", "-h"]) else {
                Issue.record("\(command) -h did not give help")
                continue
            }
            #expect(text.hasPrefix("usage: ledger \(command)"))
            #expect(text.contains("exit codes:"))
        }
        guard case .help(let send) = try Invocation.parse(["send", "--help"]) else { return }
        for flag in [
            "--topic T", "--tags TAGS", "--keys K", "--key SHARDING_KEY", "--queue N", "--property K=V", "--mode MODE",
            "--body TEXT",
        ] {
            #expect(send.contains(flag), "send --help lacks \(flag)")
        }
    }
}
