import Admin
import LedgerConfig
import Testing

@testable import Server

/// ``AdminGate``: with the ACL on, every admin route but the open monitoring ones needs an
/// admin account's keys as HTTP Basic credentials: 401 without valid keys, 403 for an account
/// that is not admin.
@Suite struct AdminGateTests {
    let acl: AccessControlList

    init() throws {
        acl = try AccessControlList.parse(
            """
            globalWhiteRemoteAddresses:
              - 127.0.0.1
            accounts:
              - accessKey: operator
                secretKey: operator-secret
                admin: true
              - accessKey: producer
                secretKey: producer-secret
                whiteRemoteAddress: 127.0.0.1
                defaultTopicPerm: PUB
            """, source: "acl.yml")
    }

    func request(_ target: String, _ credentials: BasicCredentials? = nil) -> HTTPRequest {
        let authorization = credentials.map { [HTTPHeader(name: "Authorization", value: $0.authorization)] } ?? []
        return HTTPRequest(
            method: "GET", target: target, minorVersion: 1,
            headers: [HTTPHeader(name: "Host", value: "x")] + authorization, keepAlive: true, hasBody: false)
    }

    /// The status `gate` answers `target` with: 200 when it lets the request through.
    func status(_ gate: AdminGate, _ target: String, _ credentials: BasicCredentials? = nil) -> Int {
        do {
            _ = try gate.check(
                request(target, credentials), to: AdminRoute(rawValue: String(target.prefix { $0 != "?" })))
            return 200
        } catch {
            return error.status.code
        }
    }

    let admin = BasicCredentials(user: "operator", password: "operator-secret")
    let notAdmin = BasicCredentials(user: "producer", password: "producer-secret")
    let allTargets = AdminRoute.allCases.map(\.rawValue) + ["/nowhere", "/api/message?msgId=x"]

    @Test("without the ACL every route is open, whatever the switch says")
    func aclOff() {
        for open in [true, false] {
            for target in allTargets {
                #expect(status(AdminGate(acl: nil, monitoringOpen: open), target) == 200, "\(target)")
            }
        }
    }

    @Test("with the ACL: 401 without keys, 403 for a non-admin account, 200 for an admin; monitoring by the switch")
    func aclOn() {
        for open in [true, false] {
            let gate = AdminGate(acl: acl, monitoringOpen: open)
            for target in allTargets {
                let monitoring = AdminRoute(rawValue: target)?.isMonitoring ?? false
                let free = open && monitoring
                #expect(status(gate, target) == (free ? 200 : 401), "\(target) open=\(open)")
                #expect(status(gate, target, notAdmin) == (free ? 200 : 403), "\(target) open=\(open)")
                #expect(status(gate, target, admin) == 200, "\(target) open=\(open)")
            }
        }
    }

    @Test("wrong or unknown keys are 401 naming why; white addresses and a white account do not bypass it")
    func refusalsNameTheProblem() throws {
        let gate = AdminGate(acl: acl, monitoringOpen: true)
        func refusal(_ credentials: BasicCredentials?) -> APIError? {
            do {
                _ = try gate.check(request("/api/group", credentials), to: .group)
                return nil
            } catch {
                return error
            }
        }
        #expect(
            refusal(nil)
                == .unauthenticated(
                    "the ACL is enabled: the admin port needs an admin account, sent as HTTP Basic credentials "
                        + "(the access key as user name, the secret key as password)"))
        #expect(refusal(BasicCredentials(user: "", password: "operator-secret")) == refusal(nil))
        #expect(
            refusal(BasicCredentials(user: "operator", password: "operator-secreT"))
                == .unauthenticated(#"no permission: the secret key does not match AccessKey "operator""#))
        #expect(
            refusal(BasicCredentials(user: "stranger", password: "x"))
                == .unauthenticated(#"no permission: no account has AccessKey "stranger""#))
        #expect(
            refusal(notAdmin)
                == .forbidden(#"no permission: the admin port needs an admin account; "producer" is not admin"#))
        let account = try gate.check(request("/api/group", admin), to: .group)
        #expect(account?.accessKey == "operator")
        #expect(try gate.check(request("/metrics"), to: .metrics) == nil)
    }
}
