import Foundation
import LedgerClient
import LedgerConfig
import LedgerModel
import Posix
import Raft
import Testing

@testable import LedgerLocalGroup

/// The admin HTTP port of real nodes: `/metrics` parsed by a real Prometheus parser and checked
/// against `ledger status --json` of the same group, and the port's strict HTTP answers.
@Suite(.serialized)
struct MetricsTests {
    @Test("/metrics of every node parses and agrees with ledger status (term, leader, commit)")
    func metricsAgreeWithStatus() throws {
        let fixture = try ClusterFixture(adminPorts: true)
        let leader = try fixture.awaitLeader()
        _ = try fixture.appendEntries("metric-", count: 5)
        let parser: PrometheusParser
        switch PrometheusParser.make(scratchDirectory: fixture.directory) {
        case .success(let made): parser = made
        case .failure(let reason):
            print("MetricsTests: skipping the parse checks: no promtool on PATH and no prometheus_client: \(reason)")
            return
        }
        print("MetricsTests: parsing with \(parser.promtool.map { "promtool (\($0)) and " } ?? "")prometheus_client")
        // A quiet group: every node applied everything, so status and scrapes agree exactly.
        try fixture.eventually("every node has applied the last entry") {
            let nodes = fixture.client.statusAll().nodes.compactMap(\.response)
            return nodes.count == 3 && Set(nodes.map(\.applied)).count == 1 && Set(nodes.map(\.commit)).count == 1
        }
        let status = try fixture.ledger(["status", "--json"])
        #expect(status.status == .exited(0), "stderr: \(status.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(object["leader"] as? String == leader.peer.name)

        for (peer, port) in zip(fixture.peers, fixture.cluster.adminPorts) {
            let response = try HTTPProbe.get(port: port, "/metrics")
            #expect(response.code == 200)
            #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let (samples, types) = try parser.parse(response.body, scratchDirectory: fixture.directory)
            func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
                samples.first { $0.name == name && $0.labels == labels }?.value
            }
            let node = try #require(nodes.first { $0["id"] as? String == peer.name })
            let isLeader = peer.id == leader.peer.id
            #expect(value("ledger_raft_term") == (node["term"] as? Double), "\(peer.name) term")
            #expect(value("ledger_raft_commit_index") == (node["commitIndex"] as? Double), "\(peer.name) commit")
            #expect(value("ledger_raft_applied_index") == (node["appliedIndex"] as? Double), "\(peer.name) applied")
            #expect(value("ledger_log_last_index") == (node["lastIndex"] as? Double), "\(peer.name) last index")
            #expect(value("ledger_raft_leader_id") == Double(leader.peer.id.rawValue), "\(peer.name) leader")
            #expect(
                value("ledger_node_info", ["group": "test", "node": peer.name, "node_id": "\(peer.id.rawValue)"]) == 1)
            #expect(value("ledger_raft_role", ["role": "leader"]) == (isLeader ? 1 : 0), "\(peer.name) role")
            #expect(value("ledger_raft_role", ["role": "follower"]) == (isLeader ? 0 : 1), "\(peer.name) role")
            #expect((value("ledger_raft_leader_changes_seen_total") ?? 0) >= 1)
            #expect(value("ledger_log_first_index") == 1)
            if isLeader {
                #expect((value("ledger_raft_elections_won_total") ?? 0) >= 1)
                #expect((value("ledger_raft_elections_started_total") ?? 0) >= 1)
                for other in fixture.peers where other.id != peer.id {
                    #expect(
                        value("ledger_raft_follower_match_index", ["follower": other.name])
                            == (node["lastIndex"] as? Double), "\(other.name) match")
                    #expect(value("ledger_raft_follower_lag_entries", ["follower": other.name]) == 0)
                }
                // Five appends answered ok, at least.
                #expect((value("ledger_requests_answered_total", ["opcode": "append", "result": "ok"]) ?? 0) >= 5)
                #expect((value("ledger_requests_received_total", ["opcode": "append"]) ?? 0) >= 5)
            } else {
                #expect(!samples.contains { $0.name == "ledger_raft_follower_match_index" })
            }
            // Storage: every node wrote and synced the entries.
            #expect((value("ledger_log_appended_bytes_total") ?? 0) > 0)
            #expect((value("ledger_log_append_batches_total") ?? 0) >= 1)
            #expect(types["ledger_log_sync_duration_seconds"] == "histogram")
            let syncs = try #require(value("ledger_log_sync_duration_seconds_count"))
            #expect(syncs >= 1)
            #expect(value("ledger_log_sync_duration_seconds_bucket", ["le": "+Inf"]) == syncs)
            // Connections: two peer links each way, and this scrape itself.
            #expect(value("ledger_connections_open", ["kind": "peer_outbound"]) == 2, "\(peer.name) outbound links")
            #expect(value("ledger_connections_open", ["kind": "peer_inbound"]) == 2, "\(peer.name) inbound links")
            #expect(value("ledger_connections_open", ["kind": "admin"]) == 1)
            #expect((value("ledger_connections_accepted_total", ["port": "admin"]) ?? 0) >= 1)
            // Process figures from /proc.
            #expect((value("ledger_process_resident_memory_bytes") ?? 0) > Double(1 << 20))
            #expect((value("ledger_process_open_fds") ?? 0) >= 5)
            #expect(types["ledger_process_cpu_seconds"] == "counter")
            #expect(types["ledger_raft_elections_won"] == "counter")
        }
    }

    @Test("the admin port answers 200, 404, 405, 400 and 431, pipelined and with keep-alive")
    func strictHTTP() throws {
        let fixture = try ClusterFixture(adminPorts: true)
        _ = try fixture.awaitLeader()
        let port = fixture.cluster.adminPorts[0]

        let health = try HTTPProbe.get(port: port, "/healthz")
        #expect(health.code == 200 && health.body == "ok\n")
        #expect(try HTTPProbe.get(port: port, "/nope").code == 404)
        #expect(try HTTPProbe.get(port: port, "/../../etc/passwd").code == 404, "fixed routes, no files")
        let relative = try HTTPProbe.responses(
            HTTPProbe.exchange(port: port, "GET ../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(relative.map(\.code) == [400], "not an origin-form target")
        #expect(try HTTPProbe.get(port: port, "/healthz/../metrics").code == 404)

        // Pipelined on one connection: GET, HEAD, POST (405, ends the connection: it has a body).
        let pipelined = try HTTPProbe.exchange(
            port: port,
            "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nHEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
        )
        let answers = try HTTPProbe.responses(pipelined, headOnly: [false, true, false])
        #expect(answers.map(\.code) == [200, 200, 405])
        #expect(answers[1].body.isEmpty && Int(answers[1].header("Content-Length") ?? "") ?? 0 > 0)
        #expect(answers[2].header("Allow") == "GET, HEAD")
        #expect(answers[2].header("Connection") == "close")

        // 200 pipelined scrapes (well over what the node queues before it stops reading): all answered.
        let many =
            String(repeating: "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n", count: 199)
            + "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        let scrapes = try HTTPProbe.responses(HTTPProbe.exchange(port: port, many))
        #expect(scrapes.count == 200 && scrapes.allSatisfy { $0.code == 200 && $0.body.hasPrefix("# HELP") })

        // Malformed and oversized heads: one answer, then the connection closes.
        let malformed = try HTTPProbe.responses(HTTPProbe.exchange(port: port, "GET /healthz HTTP/1.1\r\n\r\n"))
        #expect(malformed.map(\.code) == [400], "no Host")
        #expect(malformed.first?.body == "an HTTP/1.1 request needs a Host header\n")
        let huge = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "x", count: 10_000) + "\r\n\r\n"
        #expect(try HTTPProbe.responses(HTTPProbe.exchange(port: port, huge)).map(\.code) == [431])
        let version = try HTTPProbe.responses(HTTPProbe.exchange(port: port, "GET /healthz HTTP/2.0\r\n\r\n"))
        #expect(version.map(\.code) == [505])

        // 64 idle connections fill the port; the next one is served, and the oldest idle one closed.
        var idle: [Socket] = []
        defer { for socket in idle { socket.close() } }
        for _ in 0..<64 {
            idle.append(try Socket.connect(to: SocketAddress(host: "127.0.0.1", port: port), nonBlocking: false).socket)
        }
        pause(.milliseconds(200))
        #expect(try HTTPProbe.get(port: port, "/healthz").code == 200)
        var scratch = [UInt8](repeating: 0, count: 16)
        #expect(try idle[0].wait(for: Int16(POLLIN), timeout: .seconds(5)) != 0)
        #expect(try idle[0].read(into: &scratch, at: 0) == .closed, "the connection idle longest made room")

        // The node still serves after all that, and counted it.
        let metrics = try HTTPProbe.get(port: port, "/metrics")
        #expect(metrics.body.contains("ledger_admin_requests_total{route=\"other\",code=\"404\"}"))
        #expect(metrics.body.contains("ledger_admin_requests_total{route=\"other\",code=\"431\"} 1"))
        #expect(metrics.body.contains("ledger_admin_requests_total{route=\"/metrics\",code=\"405\"} 1"))
    }
}
