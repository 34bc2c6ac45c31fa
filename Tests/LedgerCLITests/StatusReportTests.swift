import LedgerClient
import LedgerConfig
import LedgerModel
import Raft
import Testing
import Wire

@testable import LedgerCLI

@Suite struct StatusReportTests {
    static let peers = (0..<3).map {
        Peer(name: "n\($0)", id: NodeID(UInt64($0)), host: "127.0.0.1", port: UInt16(40911 + $0))
    }

    static func status(_ id: UInt64, _ role: Role, term: UInt64, leader: UInt64?, last: UInt64) -> StatusResponse {
        StatusResponse(
            group: "ledger", nodeID: NodeID(id), nodeName: "n\(id)", role: role, term: Term(term),
            leader: leader.map { NodeID($0) }, leaderAddress: nil, lastIndex: LogIndex(last),
            commit: LogIndex(last - 1),
            applied: LogIndex(last - 1), uptimeMs: 65_000, stateApplied: LogIndex(last - 1), stateDigest: 0x1234,
            firstIndex: LogIndex(1), diskUsedBasisPoints: id == 0 ? 3_725 : nil, writable: id == 0 ? true : nil)
    }

    static let healthy = ClusterView(nodes: [
        NodeStatus(peer: peers[0], result: .success(status(0, .follower, term: 4, leader: 1, last: 7))),
        NodeStatus(peer: peers[1], result: .success(status(1, .leader, term: 4, leader: 1, last: 10))),
        NodeStatus(
            peer: peers[2],
            result: .failure(.unreachable(node: "n2", address: "127.0.0.1:40913", reason: "connection refused"))),
    ])

    @Test func viewFindsTheLeaderAndLag() {
        let view = StatusReportTests.healthy
        #expect(view.leader == LeaderInfo(peer: StatusReportTests.peers[1], term: Term(4)))
        #expect(view.lag(of: view.nodes[0]) == 3)
        #expect(view.lag(of: view.nodes[1]) == 0)
        #expect(view.lag(of: view.nodes[2]) == nil)
        // A stale leader at an older term loses to the newer one.
        var split = view
        split.nodes[0].result = .success(StatusReportTests.status(0, .leader, term: 3, leader: 0, last: 7))
        #expect(split.leader?.peer.name == "n1")
    }

    @Test func jsonHasTheDocumentedFieldsInOrder() {
        let report = StatusReport(view: StatusReportTests.healthy, configuredGroup: nil)
        #expect(report.exitCode == 0)
        #expect(
            report.json.rendered
                == #"{"group": "ledger", "leader": "n1", "term": 4, "nodes": ["#
                + #"{"id": "n0", "address": "127.0.0.1:40911", "up": true, "role": "FOLLOWER", "term": 4, "leader": "n1", "lastIndex": 7, "commitIndex": 6, "appliedIndex": 6, "lag": 3, "catchingUp": false, "uptimeMs": 65000, "firstIndex": 1, "diskUsedRatio": 0.3725, "writable": true, "error": null}, "#
                + #"{"id": "n1", "address": "127.0.0.1:40912", "up": true, "role": "LEADER", "term": 4, "leader": "n1", "lastIndex": 10, "commitIndex": 9, "appliedIndex": 9, "lag": 0, "catchingUp": false, "uptimeMs": 65000, "firstIndex": 1, "diskUsedRatio": null, "writable": null, "error": null}, "#
                + #"{"id": "n2", "address": "127.0.0.1:40913", "up": false, "role": "DOWN", "term": null, "leader": null, "lastIndex": null, "commitIndex": null, "appliedIndex": null, "lag": null, "catchingUp": false, "uptimeMs": null, "firstIndex": null, "diskUsedRatio": null, "writable": null, "error": "connection refused"}]}"#
        )
    }

    @Test func tableShowsEveryNodeAndWhyOneIsDown() {
        let lines = StatusReport(view: StatusReportTests.healthy, configuredGroup: nil).table.split(separator: "\n")
        #expect(lines[0] == "group ledger: leader n1, term 4")
        #expect(
            lines[1].hasPrefix(
                "GROUP   ID  ADDRESS          ROLE      TERM  LEADER  LAST  COMMIT  APPLIED  LAG  UPTIME  FIRST  DISK"))
        #expect(
            lines[2]
                == "ledger  n0  127.0.0.1:40911  FOLLOWER  4     n1      7     6       6        3    1m05s   1      38%"
        )
        #expect(
            lines[3]
                == "ledger  n1  127.0.0.1:40912  LEADER    4     n1      10    9       9        0    1m05s   1      -")
        #expect(
            lines[4].hasSuffix(
                "DOWN      -     -       -     -       -        -    -       -      -     connection refused"))
        var full = StatusReportTests.healthy
        var status = StatusReportTests.status(0, .follower, term: 4, leader: 1, last: 7)
        status.diskUsedBasisPoints = 9_120
        status.writable = false
        full.nodes[0].result = .success(status)
        let fullLines = StatusReport(view: full, configuredGroup: nil).table.split(separator: "\n")
        #expect(fullLines[2].hasSuffix("92%   DISK FULL: refuses writes"), "\(fullLines[2])")
    }

    @Test func noLeaderExitsThreeAndPreCandidatesShowAsCandidates() {
        let view = ClusterView(nodes: [
            NodeStatus(
                peer: StatusReportTests.peers[0],
                result: .success(StatusReportTests.status(0, .preCandidate, term: 5, leader: nil, last: 3))),
            NodeStatus(
                peer: StatusReportTests.peers[1],
                result: .failure(.unreachable(node: "n1", address: "a", reason: "timeout after 1000 ms"))),
        ])
        let report = StatusReport(view: view, configuredGroup: "configured")
        #expect(report.exitCode == 3)
        #expect(report.table.hasPrefix("group ledger: NO LEADER (1 of 2 nodes up)"))
        #expect(report.table.contains("CANDIDATE"))
        #expect(report.json.rendered.hasPrefix(#"{"group": "ledger", "leader": null, "term": 5, "nodes": "#))
        let allDown = StatusReport(view: ClusterView(nodes: [view.nodes[1]]), configuredGroup: "configured")
        #expect(allDown.json.rendered.hasPrefix(#"{"group": "configured", "leader": null, "term": null"#))
    }

    @Test func jsonEscapesStrings() {
        #expect(JSON.string("a\"b\\c\nd\u{1}é").rendered == #""a\"b\\c\nd\u0001é""#)
    }

    @Test func aFollowerFarBehindIsShownCatchingUp() {
        let view = ClusterView(nodes: [
            NodeStatus(peer: Self.peers[0], result: .success(Self.status(0, .follower, term: 4, leader: 1, last: 7))),
            NodeStatus(
                peer: Self.peers[1], result: .success(Self.status(1, .leader, term: 4, leader: 1, last: 20_007))),
            NodeStatus(
                peer: Self.peers[2], result: .success(Self.status(2, .follower, term: 4, leader: 1, last: 20_000))),
        ])
        let report = StatusReport(view: view, configuredGroup: "ledger")
        let rows = report.table.split(separator: "\n").map(String.init)
        #expect(rows[2].contains("CATCHING UP") && rows[2].contains("20000"), "\(rows[2])")
        #expect(rows[4].contains("FOLLOWER") && !rows[4].contains("CATCHING UP"), "\(rows[4])")
        #expect(report.json.rendered.contains(#""role": "FOLLOWER", "term": 4, "leader": "n1", "lastIndex": 7"#))
        #expect(report.json.rendered.contains(#""lag": 20000, "catchingUp": true"#))
    }
}
