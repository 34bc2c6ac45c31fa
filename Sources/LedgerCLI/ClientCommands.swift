import LedgerClient
import LedgerConfig
import Raft

/// Runs the client commands of `ledger` (every command of ``Invocation`` but `server`, which
/// needs the node runtime and lives in the executable). Each returns the process exit code (see
/// ``ExitCode``).
package enum ClientCommands {
    /// Runs `invocation`; `.server` is a programmer error here.
    package static func run(_ invocation: Invocation) -> Int32 {
        switch invocation {
        case .help(let text):
            Console.out(text)
            return ExitCode.success
        case .server:
            preconditionFailure("ledger server is run by the executable, not by ClientCommands")
        case .status(let flags, let json, let watch):
            return withClient("status", flags) { client, resolved in
                status(client, group: resolved.group, json: json, watch: watch)
            }
        case .append(let flags, let data):
            return withClient("append", flags) { client, _ in append(client, data: data) }
        case .get(let flags, let index, let json):
            return withClient("get", flags) { client, _ in get(client, index: LogIndex(index), json: json) }
        case .transferLeader(let flags, let name):
            return withClient("transfer-leader", flags) { client, resolved in
                guard let target = resolved.peers.first(where: { $0.name == name }) else {
                    let known = resolved.peers.map(\.name).joined(separator: ", ")
                    Console.error(
                        UsageError(
                            "--to: \(name) is not a member (members: \(known))", command: "ledger transfer-leader"
                        ).description)
                    return ExitCode.usage
                }
                return transferLeader(client, to: target)
            }
        case .messages(let invocation):
            return MessageCommands.run(invocation)
        case .topicAdmin(let invocation):
            return TopicAdminCommands.run(invocation)
        case .consumers(let invocation):
            return ConsumerCommands.run(invocation)
        }
    }

    /// Resolves the peer list (a config problem exits 2) and runs `body` with a client.
    static func withClient(
        _ command: String, _ flags: ClientFlags, _ body: (LedgerClient, ResolvedPeers) -> Int32
    ) -> Int32 {
        let resolved: ResolvedPeers
        do {
            resolved = try flags.peers.resolve()
        } catch {
            Console.error("ledger \(command): \(error)")
            return ExitCode.usage
        }
        let client = LedgerClient(
            peers: resolved.peers,
            options: LedgerClientOptions(
                timeout: flags.timeout, nodeTimeout: min(.seconds(1), flags.timeout), credentials: flags.credentials))
        defer { client.close() }
        return body(client, resolved)
    }

    /// Prints `error` as one line and returns its exit code: 3 for no quorum, 4 for an unknown
    /// outcome, else 1.
    static func fail(_ command: String, _ error: LedgerClientError) -> Int32 {
        Console.error("ledger \(command): \(error)")
        switch error {
        case .noQuorum: return ExitCode.noQuorum
        case .outcomeUnknown: return ExitCode.outcomeUnknown
        default: return ExitCode.failure
        }
    }

    private static func status(_ client: LedgerClient, group: String?, json: Bool, watch: Duration?) -> Int32 {
        guard let watch else {
            let report = StatusReport(view: client.statusAll(), configuredGroup: group)
            Console.out(json ? report.json.rendered : report.table)
            return report.exitCode
        }
        while true {
            let report = StatusReport(view: client.statusAll(), configuredGroup: group)
            if json {
                Console.out(report.json.rendered)
            } else {
                // Cursor home, clear the screen, redraw.
                Console.out(
                    "\u{1B}[H\u{1B}[2J" + report.table
                        + "\n\nrefreshing every \(watch.millisecondsText) ms (Ctrl-C to stop)")
            }
            pause(watch)
        }
    }

    private static func append(_ client: LedgerClient, data: String?) -> Int32 {
        func appendOne(_ text: String) -> Int32? {
            do {
                Console.out(String(try client.append(Array(text.utf8)).rawValue))
                return nil
            } catch {
                return fail("append", error)
            }
        }
        if let data { return appendOne(data) ?? ExitCode.success }
        while let line = readLine(strippingNewline: true) {
            if let failed = appendOne(line) { return failed }
        }
        return ExitCode.success
    }

    private static func get(_ client: LedgerClient, index: LogIndex, json: Bool) -> Int32 {
        do {
            let entry = try client.get(index)
            // A raw append shows its bytes; a command, a no-op or an undecodable entry one line about it.
            if json {
                let object = JSON.object([
                    ("index", .number(Int64(entry.index.rawValue))), ("term", .number(Int64(entry.term.rawValue))),
                    ("data", .string(entry.summary ?? String(decoding: entry.data, as: UTF8.self))),
                    ("type", .string(entry.typeName)),
                ])
                Console.out(object.rendered)
            } else if let summary = entry.summary {
                Console.out(summary)
            } else {
                Console.outRaw(entry.data + [UInt8(ascii: "\n")])
            }
            return ExitCode.success
        } catch {
            return fail("get", error)
        }
    }

    private static func transferLeader(_ client: LedgerClient, to target: Peer) -> Int32 {
        do {
            let leader = try client.transferLeader(to: target.id)
            Console.out("leader \(leader.peer.name), term \(leader.term)")
            return ExitCode.success
        } catch {
            return fail("transfer-leader", error)
        }
    }
}
