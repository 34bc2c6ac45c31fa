import LedgerModel

/// How `ledger groups` shows a ``ConsumerGroupsReport``: as text, or as the JSON of the admin
/// port's `/api/groups`.
enum GroupsReport {
    /// Per group: a title line with the total lag, its members, its subscriptions, and a table
    /// of its queues (consumer offset, broker offset, difference); a blank line between groups.
    static func text(_ report: ConsumerGroupsReport) -> String {
        guard !report.groups.isEmpty else { return "no consumer group" }
        var blocks = report.groups.map { group in
            var lines = [
                "group \(group.group): \(group.members.count) member\(group.members.count == 1 ? "" : "s"), "
                    + "total lag \(group.totalLag)"
            ]
            for member in group.members {
                lines.append(
                    "  member \(member.clientID) at \(member.address) (heartbeat \(member.lastHeartbeatAgeMs) ms ago)")
            }
            for subscription in group.subscriptions {
                lines.append("  subscribes to \(subscription.topic) (\(subscription.expression))")
            }
            if !group.progress.isEmpty {
                var rows = [["TOPIC", "QUEUE", "CONSUMER OFFSET", "BROKER OFFSET", "DIFF"]]
                for item in group.progress {
                    rows.append([
                        item.queue.topic, "\(item.queue.queueID)", "\(item.committedOffset)", "\(item.maxOffset)",
                        "\(item.lag)",
                    ])
                }
                lines.append(
                    MessageCommands.table(rows).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            }
            return lines.joined(separator: "\n")
        }
        if report.truncated { blocks.append("(more groups, members or queues than one answer carries: left out)") }
        return blocks.joined(separator: "\n\n")
    }

    /// `{"groups": [{"group", "totalLag", "members": [...], "subscriptions": [...], "queues": [...]}],
    /// "truncated"}`.
    static func json(_ report: ConsumerGroupsReport) -> JSON {
        .object([
            (
                "groups",
                .array(
                    report.groups.map { group in
                        .object([
                            ("group", .string(group.group)), ("totalLag", .number(group.totalLag)),
                            (
                                "members",
                                .array(
                                    group.members.map {
                                        .object([
                                            ("clientId", .string($0.clientID)), ("address", .string($0.address)),
                                            ("lastHeartbeatAgeMs", .number($0.lastHeartbeatAgeMs)),
                                        ])
                                    })
                            ),
                            (
                                "subscriptions",
                                .array(
                                    group.subscriptions.map {
                                        .object([("topic", .string($0.topic)), ("expression", .string($0.expression))])
                                    })
                            ),
                            (
                                "queues",
                                .array(
                                    group.progress.map { item in
                                        .object([
                                            ("topic", .string(item.queue.topic)),
                                            ("queueId", .number(Int64(item.queue.queueID))),
                                            ("committedOffset", .number(item.committedOffset.rawValue)),
                                            ("maxOffset", .number(item.maxOffset.rawValue)), ("lag", .number(item.lag)),
                                        ])
                                    })
                            ),
                        ])
                    })
            ),
            ("truncated", .bool(report.truncated)),
        ])
    }
}
