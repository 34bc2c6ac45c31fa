import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Wire

/// The leader-status view of one ``ClusterView``: a table for people, JSON for scripts.
struct StatusReport: Sendable {
    var view: ClusterView
    /// The group name from the config files, shown when no node answers.
    var configuredGroup: String?

    /// The group the nodes report, else the configured one.
    var group: String? { view.group ?? configuredGroup }

    /// 0 when a leader is seen, 3 when none is.
    var exitCode: Int32 { view.leader == nil ? ExitCode.noQuorum : ExitCode.success }

    /// `{"group", "leader", "term", "nodes": [...]}` on one line; see `ledger status --help`.
    var json: JSON {
        let nodes: [JSON] = view.nodes.map { node in
            let status = node.response
            var error: String?
            if case .failure(let failure) = node.result { error = failure.shortReason }
            return .object([
                ("id", .string(node.peer.name)),
                ("address", .string(node.peer.address)),
                ("up", .bool(status != nil)),
                ("role", .string(node.roleName)),
                ("term", .optional(status?.term.rawValue)),
                ("leader", .optional(status?.leader.map { view.name(of: $0) })),
                ("lastIndex", .optional(status?.lastIndex.rawValue)),
                ("commitIndex", .optional(status?.commit.rawValue)),
                ("appliedIndex", .optional(status?.applied.rawValue)),
                ("lag", .optional(view.lag(of: node))),
                ("catchingUp", .bool(view.isCatchingUp(node))),
                ("uptimeMs", .optional(status?.uptimeMs)),
                ("firstIndex", .optional(status?.firstIndex.rawValue)),
                ("diskUsedRatio", status?.diskUsedRatio.map { .fraction($0) } ?? .null),
                ("writable", status?.writable.map { .bool($0) } ?? .null),
                ("error", .optional(error)),
            ])
        }
        return .object([
            ("group", .optional(group)),
            ("leader", .optional(view.leader?.peer.name)),
            ("term", .optional(view.term?.rawValue)),
            ("nodes", .array(nodes)),
        ])
    }

    /// A headline, then one aligned row per node; a DOWN row ends with why.
    var table: String {
        let headline: String
        if let leader = view.leader {
            headline = "group \(group ?? "?"): leader \(leader.peer.name), term \(leader.term)"
        } else {
            let up = view.nodes.count { $0.response != nil }
            headline = "group \(group ?? "?"): NO LEADER (\(up) of \(view.nodes.count) nodes up)"
        }
        let header = [
            "GROUP", "ID", "ADDRESS", "ROLE", "TERM", "LEADER", "LAST", "COMMIT", "APPLIED", "LAG", "UPTIME", "FIRST",
            "DISK", "",
        ]
        var rows = [header]
        for node in view.nodes {
            guard let status = node.response else {
                var reason = ""
                if case .failure(let error) = node.result { reason = error.shortReason }
                rows.append([
                    group ?? "-", node.peer.name, node.peer.address, "DOWN", "-", "-", "-", "-", "-", "-", "-", "-",
                    "-",
                    reason,
                ])
                continue
            }
            rows.append([
                status.group, node.peer.name, node.peer.address,
                view.isCatchingUp(node) ? "CATCHING UP" : node.roleName, "\(status.term)",
                status.leader.map { view.name(of: $0) } ?? "-", "\(status.lastIndex)", "\(status.commit)",
                "\(status.applied)", view.lag(of: node).map(String.init) ?? "-", StatusReport.uptime(status.uptimeMs),
                "\(status.firstIndex)", StatusReport.percent(status.diskUsedBasisPoints),
                status.writable == false ? "DISK FULL: refuses writes" : "",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
        let lines = rows.map { row in
            row.indices.map { column in
                row[column] + String(repeating: " ", count: widths[column] - row[column].count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return ([headline] + lines).joined(separator: "\n")
    }

    /// `950ms`, `42s`, `3m05s`, `2h07m`, `4d03h`.
    /// `38%` for 37.25 % (rounded up, as `df` rounds), `-` when unknown.
    static func percent(_ basisPoints: UInt16?) -> String {
        guard let basisPoints else { return "-" }
        return "\((Int(basisPoints) + 99) / 100)%"
    }

    static func uptime(_ milliseconds: UInt64) -> String {
        let seconds = milliseconds / 1000
        func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch seconds {
        case 0: return milliseconds == 0 ? "0s" : "\(milliseconds)ms"
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m\(two(seconds % 60))s"
        case ..<86_400: return "\(seconds / 3600)h\(two(seconds / 60 % 60))m"
        default: return "\(seconds / 86_400)d\(two(seconds / 3600 % 24))h"
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
