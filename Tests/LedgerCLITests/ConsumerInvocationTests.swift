import LedgerCLI
import Testing

@testable import LedgerCLI

/// Parsing of `ledger consume`, `query` and `groups` (issue 14's contract), and of `--from`'s times.
@Suite struct ConsumerInvocationTests {
    @Test func consumeDefaultsAndEveryFlag() throws {
        let defaults = ConsumeOptions(topic: "Orders", group: "billing")
        #expect(defaults.start == .last)
        #expect(defaults.commit == .automatic(intervalMilliseconds: 5_000))
        #expect(
            try Invocation.parse(["consume", "--topic", "Orders", "--group", "billing"])
                == .consumers(.consume(ClientFlags(), defaults)))

        var orderly = defaults
        orderly.tags = "TagA || TagB"
        orderly.start = .first
        orderly.orderly = true
        orderly.commit = .manual
        #expect(
            try Invocation.parse([
                "consume", "--topic", "Orders", "--group", "billing", "--tags", "TagA || TagB", "--from", "first",
                "--orderly", "--manual", "--timeout", "9000",
            ]) == .consumers(.consume(ClientFlags(timeout: .milliseconds(9000)), orderly)))

        var broadcast = defaults
        broadcast.broadcast = true
        broadcast.commit = .none
        broadcast.start = .time(milliseconds: 1_796_664_600_000)
        #expect(
            try Invocation.parse([
                "consume", "--topic", "Orders", "--group", "billing", "--broadcast", "--from", "1796664600000",
            ]) == .consumers(.consume(ClientFlags(), broadcast)))

        var timed = defaults
        timed.commit = .automatic(intervalMilliseconds: 250)
        timed.start = .time(milliseconds: 1_796_664_600_000)
        #expect(
            try Invocation.parse([
                "consume", "--topic", "Orders", "--group", "billing", "--auto-commit", "250", "--from",
                "2026-12-07T17:30:00Z",
            ]) == .consumers(.consume(ClientFlags(), timed)))
    }

    @Test func queryAndGroupsFlags() throws {
        #expect(
            try Invocation.parse(["query", "--key", "order-7"])
                == .consumers(.query(ClientFlags(), .key("order-7", topic: nil), json: false)))
        #expect(
            try Invocation.parse(["query", "--key", "order-7", "--topic", "Orders", "--json"])
                == .consumers(.query(ClientFlags(), .key("order-7", topic: "Orders"), json: true)))
        let id = "7F0000010000B73F00000000000001F8"
        #expect(
            try Invocation.parse(["query", "--msg-id", id])
                == .consumers(.query(ClientFlags(), .messageID(id), json: false)))
        #expect(try Invocation.parse(["groups"]) == .consumers(.groups(ClientFlags(), group: nil, json: false)))
        #expect(
            try Invocation.parse(["groups", "--group", "billing", "--json"])
                == .consumers(.groups(ClientFlags(), group: "billing", json: true)))
    }

    @Test(arguments: [
        (["consume", "--group", "G"], "ledger consume: --topic T is required; see ledger consume --help"),
        (["consume", "--topic", "T"], "ledger consume: --group G is required; see ledger consume --help"),
        (
            ["consume", "--topic", "a b", "--group", "G"],
            "ledger consume: --topic: \"a b\" is not a topic name: only letters, digits and %|_- are allowed; "
                + "see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G/1"],
            "ledger consume: --group: \"G/1\" is not a group name: 1 to 255 letters, digits and %|_- are allowed; "
                + "see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G", "--from", "yesterday"],
            "ledger consume: --from: expected first, last, an RFC 3339 time (2026-12-07T17:30:00Z) or ms since the "
                + "epoch, got \"yesterday\"; see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G", "--from", "2026-02-30T00:00:00Z"],
            "ledger consume: --from: expected first, last, an RFC 3339 time (2026-12-07T17:30:00Z) or ms since the "
                + "epoch, got \"2026-02-30T00:00:00Z\"; see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G", "--auto-commit", "5"],
            "ledger consume: --auto-commit: expected a whole number from 10 to 600000, got \"5\"; "
                + "see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G", "--auto-commit", "100", "--manual"],
            "ledger consume: give either --auto-commit or --manual, not both; see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G", "--broadcast", "--manual"],
            "ledger consume: --broadcast commits nothing to the broker: not with --auto-commit or --manual; "
                + "see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G", "--broadcast", "--orderly"],
            "ledger consume: --orderly locks each queue to one member of a clustering group: not with --broadcast; "
                + "see ledger consume --help"
        ),
        (
            ["consume", "--topic", "T", "--group", "G", "extra"],
            "ledger consume: unexpected argument \"extra\"; see ledger consume --help"
        ),
        (["query"], "ledger query: give --key K or --msg-id ID; see ledger query --help"),
        (
            ["query", "--key", "k", "--msg-id", "7F0000010000B73F00000000000001F8"],
            "ledger query: give either --key or --msg-id, not both; see ledger query --help"
        ),
        (
            ["query", "--msg-id", "xyz"],
            "ledger query: --msg-id: expected a message id (32 or 56 hex digits, as send prints it), got \"xyz\"; "
                + "see ledger query --help"
        ),
        (
            ["query", "--msg-id", "7F0000010000B73F00000000000001F8", "--topic", "T"],
            "ledger query: --topic goes with --key; a message id names its message alone; see ledger query --help"
        ),
        (
            ["groups", "--group", ""],
            "ledger groups: --group: \"\" is not a group name: 1 to 255 letters, digits and %|_- are allowed; "
                + "see ledger groups --help"
        ),
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
        for command in ConsumerCommand.allCases {
            #expect(main.contains("  \(command.rawValue) "), "ledger --help lacks \(command.rawValue)")
            guard case .help(let text) = try Invocation.parse([command.rawValue, "--bogus", "-h"]) else {
                Issue.record("\(command.rawValue) -h did not give help")
                continue
            }
            #expect(text.hasPrefix("usage: ledger \(command.rawValue)"))
            #expect(text.contains("exit codes:"))
            for flag in command.flags {
                let head = flag.valueName.map { "\(flag.name) \($0)" } ?? flag.name
                #expect(text.contains(head), "\(command.rawValue) --help lacks \(head)")
            }
        }
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-12-07T17:30:00Z", 1_796_664_600_000),
        ("2026-12-07t17:30:00.25z", 1_796_664_600_250),
        ("2026-12-07 18:30:00.123456+01:00", 1_796_664_600_123),
        ("2026-12-07T12:00:00-05:30", 1_796_664_600_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("2000-03-01T00:00:00Z", 951_868_800_000),
        ("1969-12-31T23:59:59.999Z", -1),
    ])
    func rfc3339Times(text: String, milliseconds: Int64) {
        #expect(ConsumeStart(flagValue: text) == .time(milliseconds: milliseconds), "\(text)")
    }

    @Test(arguments: [
        "", "today", "2026-12-07", "2026-12-07T17:30:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-12-07T24:00:00Z", "2026-12-07T17:60:00Z", "2026-12-07T17:30:60Z", "2026-12-07T17:30:00.Z",
        "2026-12-07T17:30:00+1:00", "2026-12-07T17:30:00Zjunk", "-5", "99999999999999999999",
    ])
    func malformedTimes(text: String) {
        #expect(ConsumeStart(flagValue: text) == nil, "\(text)")
    }
}
