import Admin
import CommitLog
import LogStore
import Posix
import Raft
import Replica
import Wire

#if canImport(Glibc)
    import Glibc
#endif

extension LedgerServer {
    /// The `/metrics` page: every family of `METRICS.md`, read from the replica, the log store,
    /// this server's counters and `/proc` at this moment. Runs on the event loop, only when
    /// scraped. A process figure `/proc` cannot give is left out rather than invented.
    func metricsText() -> String {
        PrometheusText.render(
            raftFamilies() + storageFamilies() + messageFamilies() + connectionFamilies() + processFamilies())
    }

    /// Messages in and out per topic (at most ``TopicCounters/limit`` topics, then `(other)`).
    private func messageFamilies() -> [MetricFamily] {
        [
            MetricFamily(
                "ledger_messages_received_total", .counter,
                help:
                    "Messages this node's state machine stored as it applied them, by topic (the first 100 topics, then \"(other)\").",
                samples: replica.messagesReceived.sorted.map {
                    MetricSample(.count($0.count), labels: [("topic", $0.topic)])
                }),
            MetricFamily(
                "ledger_messages_delivered_total", .counter,
                help:
                    "Messages this node returned in pull answers on both protocols, by topic (the first 100 topics, then \"(other)\").",
                samples: metrics.messagesDelivered.sorted.map {
                    MetricSample(.count($0.count), labels: [("topic", $0.topic)])
                }),
        ] + heldMessageFamilies()
    }

    /// Delayed, retried, dead-lettered and transactional messages (`Replica/HeldMessageCounters`).
    private func heldMessageFamilies() -> [MetricFamily] {
        let held = replica.heldCounters
        return [
            MetricFamily(
                "ledger_messages_delayed_total", .counter,
                help:
                    "Messages stored in SCHEDULE_TOPIC_XXXX to wait for their delay level (delayed sends and send-backs).",
                value: .count(held.delayed)),
            MetricFamily(
                "ledger_messages_delay_delivered_total", .counter,
                help: "Delayed messages moved into their topic once due.", value: .count(held.delivered)),
            MetricFamily(
                "ledger_messages_delayed_waiting", .gauge,
                help: "Messages held in SCHEDULE_TOPIC_XXXX and not delivered yet.",
                value: .integer(replica.stateMachine.delayedWaiting)),
            MetricFamily(
                "ledger_messages_retried_total", .counter,
                help: "Messages consumers sent back that were stored on their way to their group's %RETRY% topic.",
                value: .count(held.retried)),
            MetricFamily(
                "ledger_messages_dead_lettered_total", .counter,
                help: "Messages consumers sent back past their maximum reconsume times, stored in %DLQ% topics.",
                value: .count(held.deadLettered)),
            MetricFamily(
                "ledger_transaction_half_messages_total", .counter,
                help: "Transactions' half messages stored in RMQ_SYS_TRANS_HALF_TOPIC.",
                value: .count(held.halfMessages)),
            MetricFamily(
                "ledger_transactions_total", .counter,
                help:
                    "Transactions decided, by outcome: committed, rolled back, or discarded after the last check back.",
                samples: [
                    MetricSample(.count(held.committed), labels: [("outcome", "commit")]),
                    MetricSample(.count(held.rolledBack), labels: [("outcome", "rollback")]),
                    MetricSample(.count(held.discarded), labels: [("outcome", "discarded")]),
                ]),
            MetricFamily(
                "ledger_transaction_checks_total", .counter,
                help: "Check backs of undecided half messages counted through the log.", value: .count(held.checks)),
            MetricFamily(
                "ledger_transactions_pending", .gauge, help: "Half messages waiting for their producer's decision.",
                value: .integer(Int64(replica.stateMachine.pendingTransactions.count))),
        ]
    }

    private func raftFamilies() -> [MetricFamily] {
        let core = replica.core
        let status = core.status
        let me = options.me
        let roles: [(Role, String)] = [
            (.follower, "follower"), (.preCandidate, "pre_candidate"), (.candidate, "candidate"), (.leader, "leader"),
        ]
        let followers = status.followers.map { follower in
            (name: options.member(follower.id)?.name ?? "\(follower.id)", follower: follower)
        }
        let lag = { (follower: FollowerStatus) in
            status.lastIndex > follower.match ? status.lastIndex.rawValue - follower.match.rawValue : 0
        }
        return [
            MetricFamily(
                "ledger_node_info", .gauge, help: "This node: its group, name and Raft node id (always 1).",
                samples: [
                    MetricSample(
                        .integer(1),
                        labels: [("group", options.group), ("node", me.name), ("node_id", "\(me.id.rawValue)")])
                ]),
            MetricFamily(
                "ledger_raft_term", .gauge, help: "The node's current Raft term.", value: .count(status.term.rawValue)),
            MetricFamily(
                "ledger_raft_role", .gauge, help: "1 for the role this node has now, 0 for the others.",
                samples: roles.map { MetricSample(.integer(status.role == $0.0 ? 1 : 0), labels: [("role", $0.1)]) }),
            MetricFamily(
                "ledger_raft_leader_id", .gauge,
                help: "The Raft node id of the leader this node knows (see ledger_node_info), -1 when it knows none.",
                value: .integer(status.leader.map { Int64(clamping: $0.rawValue) } ?? -1)),
            MetricFamily(
                "ledger_raft_commit_index", .gauge, help: "The highest log index this node knows committed.",
                value: .count(status.commitIndex.rawValue)),
            MetricFamily(
                "ledger_raft_applied_index", .gauge, help: "The highest log index applied to the state machine.",
                value: .count(status.appliedIndex.rawValue)),
            MetricFamily(
                "ledger_log_first_index", .gauge, help: "The first index still stored in the log.",
                value: .count(replica.store.firstIndex.rawValue)),
            MetricFamily(
                "ledger_log_last_index", .gauge, help: "The last index in the log, durable or not.",
                value: .count(status.lastIndex.rawValue)),
            MetricFamily(
                "ledger_log_durable_index", .gauge, help: "The last log index synced to disk.",
                value: .count(replica.store.durableIndex.rawValue)),
            MetricFamily(
                "ledger_raft_follower_match_index", .gauge,
                help: "On the leader: the highest index known to be on each follower.",
                samples: followers.map {
                    MetricSample(.count($0.follower.match.rawValue), labels: [("follower", $0.name)])
                }),
            MetricFamily(
                "ledger_raft_follower_lag_entries", .gauge,
                help: "On the leader: entries each follower is behind the leader's last index.",
                samples: followers.map { MetricSample(.count(lag($0.follower)), labels: [("follower", $0.name)]) }),
            MetricFamily(
                "ledger_raft_elections_started_total", .counter,
                help: "Elections this node started (became a candidate in a new term).",
                value: .count(core.counters.electionsStarted)),
            MetricFamily(
                "ledger_raft_elections_won_total", .counter, help: "Elections this node won (became leader).",
                value: .count(core.counters.electionsWon)),
            MetricFamily(
                "ledger_raft_leader_changes_seen_total", .counter,
                help: "Times this node learned of a leader other than the last one it knew (the first counts).",
                value: .count(core.counters.leaderChanges)),
            MetricFamily(
                "ledger_raft_proposals_refused_busy_total", .counter,
                help: "Writes this node refused as leader because maxUncommittedBytes awaited commit (answered busy).",
                value: .count(core.counters.proposalsRefusedOverloaded)),
        ]
    }

    private func storageFamilies() -> [MetricFamily] {
        [
            MetricFamily(
                "ledger_disk_used_ratio", .gauge,
                help:
                    "How full the store's file system is: used / (used + available), as df counts (absent when unknown).",
                samples: diskUsage.map { [MetricSample(.real(Double($0.usedBasisPoints) / 10_000))] } ?? []),
            MetricFamily(
                "ledger_disk_available_bytes", .gauge,
                help: "Bytes the node may still write on the store's file system (absent when unknown).",
                samples: diskUsage.map { [MetricSample(.count($0.availableBytes))] } ?? []),
            MetricFamily(
                "ledger_retention_deletions_total", .counter,
                help: "Retention passes that deleted the log's oldest data files, by reason (expired, disk, forced).",
                samples: RetentionCounters.reasons.map {
                    MetricSample(.count(replica.retentionCounters.deletions[$0] ?? 0), labels: [("reason", $0)])
                }),
            MetricFamily(
                "ledger_retention_deleted_bytes_total", .counter,
                help: "Bytes of data files retention deleted, by reason (expired, disk, forced).",
                samples: RetentionCounters.reasons.map {
                    MetricSample(.count(replica.retentionCounters.deletedBytes[$0] ?? 0), labels: [("reason", $0)])
                }),
            MetricFamily(
                "ledger_snapshots_sent_total", .counter,
                help: "State snapshots this node sent, as leader, to followers that needed deleted entries.",
                value: .count(replica.retentionCounters.snapshotsSent)),
            MetricFamily(
                "ledger_snapshot_bytes_sent_total", .counter,
                help: "Snapshot bytes this node sent as leader (a repeated offer resumes where the follower stopped).",
                value: .count(replica.retentionCounters.snapshotBytesSent)),
            MetricFamily(
                "ledger_snapshots_installed_total", .counter,
                help: "Leader snapshots this node installed as a follower.",
                value: .count(replica.retentionCounters.snapshotsInstalled)),
            MetricFamily(
                "ledger_log_writes_refused_total", .counter,
                help:
                    "Times the store's disk refused the Raft log's writes (ENOSPC); each spell ends when a retry writes them.",
                value: .count(replica.retentionCounters.logWritesRefused)),
            MetricFamily(
                "ledger_log_start_position_bytes", .gauge,
                help: "The log position of the first stored entry: bytes retention has deleted since the log began.",
                value: .count(replica.store.startPosition)),
            MetricFamily(
                "ledger_log_appended_bytes_total", .counter,
                help: "Bytes written to the log's data files by appends (records and the markers that end full files).",
                value: .count(replica.store.appendedBytes)),
            MetricFamily(
                "ledger_log_append_batches_total", .counter,
                help: "Batches of entries written to the log (each one write per data file it touches).",
                value: .count(replica.store.appendedBatches)),
            MetricFamily(
                "ledger_log_sync_duration_seconds", .histogram,
                help:
                    "Duration of the log's group-commit syncs (fdatasync of the data files written) on the disk thread.",
                value: .histogram(metrics.logSyncSeconds)),
            MetricFamily(
                "ledger_state_persist_duration_seconds", .histogram,
                help:
                    "Duration of the message store's persists (write, sync, checkpoint replace) on the persist thread.",
                value: .histogram(metrics.statePersistSeconds)),
            MetricFamily(
                "ledger_state_persisted_index", .gauge,
                help: "The applied log index the message store's files hold durably.",
                value: .count(replica.persistedIndex.rawValue)),
        ]
    }

    private func connectionFamilies() -> [MetricFamily] {
        let outbound = links.count(where: \.isConnected)
        let inboundPeers = peerAuthentications.values.count { $0.authenticatedPeer != nil }
        let open: [(String, Int)] = [
            ("client", connections.count - inboundPeers), ("peer_inbound", inboundPeers),
            ("peer_outbound", outbound), ("admin", adminConnections.count),
        ]
        let received = metrics.requestsReceived.sorted { $0.key.rawValue < $1.key.rawValue }
        let answered = metrics.requestsAnswered.sorted {
            ($0.key.opcode.rawValue, $0.key.result) < ($1.key.opcode.rawValue, $1.key.result)
        }
        let admin = metrics.adminAnswers.sorted { ($0.key.route, $0.key.code) < ($1.key.route, $1.key.code) }
        return [
            MetricFamily(
                "ledger_connections_open", .gauge,
                help:
                    "Open connections by kind: clients, peers that connected to this node, this node's links to peers, admin HTTP.",
                samples: open.map { MetricSample(.count($0.1), labels: [("kind", $0.0)]) }),
            MetricFamily(
                "ledger_connections_accepted_total", .counter,
                help: "Connections accepted, by port (node: peers and clients; admin: HTTP).",
                samples: ServerMetrics.Port.allCases.map {
                    MetricSample(.count(metrics.accepted[$0] ?? 0), labels: [("port", $0.rawValue)])
                }),
            MetricFamily(
                "ledger_connections_refused_total", .counter,
                help: "Connections closed as they were accepted because the port had maxConnections open.",
                samples: ServerMetrics.Port.allCases.map {
                    MetricSample(.count(metrics.refused[$0] ?? 0), labels: [("port", $0.rawValue)])
                }),
            MetricFamily(
                "ledger_connections_stalled_total", .counter,
                help:
                    "Connections closed as stalled: an unfinished frame or introduction and nothing sent for stalledConnectionTimeoutMs.",
                samples: ServerMetrics.Port.allCases.map {
                    MetricSample(.count(metrics.stalledClosed[$0] ?? 0), labels: [("port", $0.rawValue)])
                }),
            MetricFamily(
                "ledger_requests_received_total", .counter, help: "Client requests decoded, by opcode.",
                samples: received.map { MetricSample(.count($0.value), labels: [("opcode", $0.key.name)]) }),
            MetricFamily(
                "ledger_requests_answered_total", .counter,
                help: "Client requests answered, by opcode and result (ok or the error code).",
                samples: answered.map {
                    MetricSample(.count($0.value), labels: [("opcode", $0.key.opcode.name), ("result", $0.key.result)])
                }),
            MetricFamily(
                "ledger_admin_requests_total", .counter,
                help: "Admin HTTP requests answered, by route (other: no route or unparsable) and status code.",
                samples: admin.map {
                    MetricSample(.count($0.value), labels: [("route", $0.key.route), ("code", "\($0.key.code)")])
                }),
        ]
    }

    private func processFamilies() -> [MetricFamily] {
        let pid = getpid()
        var families: [MetricFamily] = []
        if let bytes = procFigure("resident memory", { () throws(ProcError) in try ProcFS.residentBytes(pid) }) {
            families.append(
                MetricFamily(
                    "ledger_process_resident_memory_bytes", .gauge,
                    help: "Resident memory (VmRSS of /proc/self/status).",
                    value: .count(bytes)))
        }
        if let seconds = procFigure("CPU time", { () throws(ProcError) in try ProcFS.cpuSeconds(pid) }) {
            families.append(
                MetricFamily(
                    "ledger_process_cpu_seconds_total", .counter,
                    help: "User and system CPU time used (utime + stime of /proc/self/stat).", value: .real(seconds)))
        }
        if let count = procFigure("open descriptors", { () throws(ProcError) in try ProcFS.openDescriptors(pid) }) {
            families.append(
                MetricFamily(
                    "ledger_process_open_fds", .gauge, help: "Open file descriptors (entries of /proc/self/fd).",
                    value: .count(count)))
        }
        do {
            let limit = try ProcFS.descriptorLimit()
            families.append(
                MetricFamily(
                    "ledger_process_max_fds", .gauge,
                    help: "The limit on open file descriptors (soft RLIMIT_NOFILE; +Inf when unlimited).",
                    value: limit.map { .count($0) } ?? .real(.infinity)))
        } catch {
            logger.warning("metrics: leaving out the descriptor limit: \(error)")
        }
        let start = Double(startedAt.seconds) + Double(startedAt.nanoseconds) / 1e9
        families.append(
            MetricFamily(
                "ledger_process_start_time_seconds", .gauge,
                help: "When the node started, in seconds since the Unix epoch.", value: .real(start)))
        return families
    }

    /// `read()`, or nil after a warning naming `figure` (the scrape leaves that metric out).
    private func procFigure<T>(_ figure: String, _ read: () throws(ProcError) -> T) -> T? {
        do {
            return try read()
        } catch {
            logger.warning("metrics: leaving out \(figure): \(error)")
            return nil
        }
    }
}
