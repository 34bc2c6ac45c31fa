import Foundation
import LedgerConfig
import LedgerLocalGroup
import Posix
import TestSupport
import Testing

/// The admin port of a real group with `aclEnable=true` (`Sources/Server/SECURITY.md`, "The
/// admin port"): `/api` and the dashboard need an admin account as HTTP Basic credentials (401
/// with the Basic challenge without valid keys, 403 for an account that is not admin), the
/// ACL file's reload applies to them, and `/metrics` and `/healthz` are open unless
/// `adminMetricsOpen=false`.
@Suite(.serialized)
struct AdminAclClusterTests {
    static let acl = """
        accounts:
          - accessKey: operator
            secretKey: operator-secret
            admin: true
          - accessKey: producer
            secretKey: producer-secret
            defaultTopicPerm: PUB|SUB

        """

    /// The `Authorization` header of `accessKey:secretKey`.
    static func basic(_ accessKey: String, _ secretKey: String) -> [String] {
        ["Authorization: Basic " + Data("\(accessKey):\(secretKey)".utf8).base64EncodedString()]
    }

    static let operatorKeys = basic("operator", "operator-secret")

    func start(_ settings: [String]) throws -> (ClusterFixture, TemporaryDirectory, String) {
        let files = try TemporaryDirectory(prefix: "admin-acl")
        let aclPath = "\(files.path)/plain_acl.yml"
        try writeFile(aclPath, Array(Self.acl.utf8))
        let fixture = try ClusterFixture(
            adminPorts: true, settings: ["aclEnable=true", "aclFile=\(aclPath)"] + settings)
        _ = try fixture.awaitLeader()
        return (fixture, files, aclPath)
    }

    @Test(
        "401 without or with wrong keys, 403 for a non-admin account, 200 for the admin; /metrics open; reload applies")
    func apiNeedsAnAdminAccount() throws {
        let (fixture, files, aclPath) = try start([])
        defer { try? files.remove() }
        let port = fixture.cluster.adminPorts[0]

        for (headers, code) in [
            ([], 401), (Self.basic("operator", "wrong-secret"), 401), (Self.basic("stranger", "operator-secret"), 401),
            (["Authorization: Bearer operator-secret"], 401), (Self.basic("producer", "producer-secret"), 403),
            (Self.operatorKeys, 200),
        ] {
            let response = try HTTPProbe.get(port: port, "/api/group", headers: headers)
            #expect(response.code == code, "\(headers): \(response.body)")
            #expect(response.header("Content-Type") == "application/json")
            if code == 401 {
                #expect(response.header("WWW-Authenticate") == #"Basic realm="SwiftLedger""#)
            } else {
                #expect(response.header("WWW-Authenticate") == nil)
            }
            let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
            if code == 200 {
                #expect((body["nodes"] as? [Any])?.count == 3)
            } else {
                #expect((body["error"] as? String)?.isEmpty == false, "\(response.body)")
                #expect(!response.body.contains("secret\""), "the answer never repeats a secret: \(response.body)")
            }
        }
        // The dashboard and unknown paths too: nothing shows without the account.
        #expect(try HTTPProbe.get(port: port, "/").code == 401)
        #expect(try HTTPProbe.get(port: port, "/").body.contains("needs an admin account"))
        #expect(try HTTPProbe.get(port: port, "/", headers: Self.operatorKeys).code == 200)
        #expect(try HTTPProbe.get(port: port, "/nowhere").code == 401)
        #expect(try HTTPProbe.get(port: port, "/nowhere", headers: Self.operatorKeys).code == 404)
        // Monitoring stays open by default.
        #expect(try HTTPProbe.get(port: port, "/healthz").code == 200)
        let metrics = try HTTPProbe.get(port: port, "/metrics")
        #expect(metrics.code == 200)
        #expect(
            metrics.body.contains(#"ledger_admin_requests_total{route="/api/group",code="401"} 4"#), "\(metrics.body)")
        #expect(metrics.body.contains(#"ledger_admin_requests_total{route="/api/group",code="403"} 1"#))

        // The ACL file's reload applies: the operator's secret rotated.
        let rotated = Self.acl.replacingOccurrences(of: "operator-secret", with: "operator-secret-2")
        try writeFile(aclPath, Array(rotated.utf8))
        try fixture.eventually("the admin port takes the operator's new secret") {
            (try? HTTPProbe.get(port: port, "/api/node", headers: Self.basic("operator", "operator-secret-2")))?.code
                == 200
        }
        #expect(try HTTPProbe.get(port: port, "/api/node", headers: Self.operatorKeys).code == 401)
    }

    @Test("adminMetricsOpen=false: /metrics and /healthz need the admin account too")
    func monitoringClosed() throws {
        let (fixture, files, _) = try start(["adminMetricsOpen=false"])
        defer { try? files.remove() }
        let port = fixture.cluster.adminPorts[1]
        for path in ["/metrics", "/healthz"] {
            let refused = try HTTPProbe.get(port: port, path)
            #expect(refused.code == 401, "\(path): \(refused.body)")
            #expect(refused.header("WWW-Authenticate") == #"Basic realm="SwiftLedger""#)
            #expect(try HTTPProbe.get(port: port, path, headers: Self.basic("producer", "producer-secret")).code == 403)
            #expect(try HTTPProbe.get(port: port, path, headers: Self.operatorKeys).code == 200)
        }
        #expect(try HTTPProbe.get(port: port, "/api/group", headers: Self.operatorKeys).code == 200)
    }
}
