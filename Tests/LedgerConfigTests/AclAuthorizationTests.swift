import LedgerConfig
import Testing

/// ``AccessControlList/authorize(_:)`` follows RocketMQ's `PlainPermissionManager.validate`:
/// white addresses, the account, its signature, admin, then each resource's permission.
@Suite struct AclAuthorizationTests {
    let acl: AccessControlList

    init() throws {
        acl = try AccessControlList.parse(
            """
            globalWhiteRemoteAddresses:
              - 10.10.103.*
            accounts:
              - accessKey: producer
                secretKey: producer-secret
                defaultTopicPerm: PUB
                defaultGroupPerm: DENY
                topicPerms:
                  - secret=DENY
                  - both=PUB|SUB
              - accessKey: consumer
                secretKey: consumer-secret
                whiteRemoteAddress: 192.168.1.1-10
                defaultTopicPerm: SUB
                defaultGroupPerm: SUB
                groupPerms:
                  - other=DENY
              - accessKey: operator
                secretKey: operator-secret
                admin: true
              - accessKey: limitedAdmin
                secretKey: limited-secret
                admin: true
                topicPerms:
                  - orders=SUB
            """, source: "acl.yml")
    }

    /// A request from `address` signed by `key` with `secret` (unsigned when `key` is nil).
    private func attempt(
        _ key: String?, _ secret: String?, need: AccessNeed, from address: String = "127.0.0.1"
    ) -> AccessAttempt {
        let content = Array("content".utf8)
        return AccessAttempt(
            remoteAddress: address, accessKey: key, signature: secret.map { AclSignature.sign(content, secretKey: $0) },
            content: content, need: need)
    }

    private func refusal(_ attempt: AccessAttempt) -> String? {
        do {
            let account = try acl.authorize(attempt)
            Issue.record("expected a refusal, allowed \(account.map(\.description) ?? "a white address")")
            return nil
        } catch {
            return error.description
        }
    }

    private func publish(_ topic: String) -> AccessNeed { AccessNeed(resources: [.init(.forTopic(topic), .pub)]) }
    private func consume(_ topic: String, group: String) -> AccessNeed {
        AccessNeed(resources: [.init(.forTopic(topic), .sub), .init(.group(group), .sub)])
    }

    @Test func validSignaturesAndPermissionsPass() throws {
        #expect(
            try acl.authorize(attempt("producer", "producer-secret", need: publish("orders")))?.accessKey == "producer")
        #expect(try acl.authorize(attempt("producer", "producer-secret", need: publish("both"))) != nil)
        #expect(try acl.authorize(attempt("consumer", "consumer-secret", need: consume("orders", group: "g"))) != nil)
        #expect(try acl.authorize(attempt("operator", "operator-secret", need: .admin("transferLeader"))) != nil)
        #expect(try acl.authorize(attempt("operator", "operator-secret", need: consume("x", group: "y"))) != nil)
        #expect(try acl.authorize(attempt("producer", "producer-secret", need: .account)) != nil)
    }

    @Test func whiteAddressesPassWithoutSignature() throws {
        #expect(try acl.authorize(attempt(nil, nil, need: .admin("transferLeader"), from: "10.10.103.7")) == nil)
        let white = try acl.authorize(attempt("consumer", nil, need: publish("orders"), from: "192.168.1.5"))
        #expect(white?.accessKey == "consumer")
        #expect(
            refusal(attempt("consumer", nil, need: consume("orders", group: "g"), from: "192.168.1.11"))
                == #"no permission: the signature does not match AccessKey "consumer" (wrong secret key?)"#)
    }

    @Test func refusals() {
        #expect(
            refusal(attempt(nil, nil, need: publish("orders")))
                == "no permission: ACL is enabled and the request carries no AccessKey and Signature (give the client an account's access and secret keys)"
        )
        #expect(
            refusal(attempt("", nil, need: publish("orders")))
                == "no permission: ACL is enabled and the request carries no AccessKey and Signature (give the client an account's access and secret keys)"
        )
        #expect(
            refusal(attempt("stranger", "whatever", need: publish("orders")))
                == #"no permission: no account has AccessKey "stranger""#)
        #expect(
            refusal(attempt("producer", "consumer-secret", need: publish("orders")))
                == #"no permission: the signature does not match AccessKey "producer" (wrong secret key?)"#)
        #expect(
            refusal(attempt("producer", nil, need: publish("orders")))
                == #"no permission: the signature does not match AccessKey "producer" (wrong secret key?)"#)
        #expect(
            refusal(attempt("producer", "producer-secret", need: publish("secret")))
                == #"no permission: AccessKey "producer" lacks PUB on topic "secret""#)
        #expect(
            refusal(attempt("producer", "producer-secret", need: consume("both", group: "g")))
                == #"no permission: AccessKey "producer" lacks SUB on group "g""#)
        #expect(
            refusal(attempt("consumer", "consumer-secret", need: publish("orders")))
                == #"no permission: AccessKey "consumer" lacks PUB on topic "orders""#)
        #expect(
            refusal(attempt("consumer", "consumer-secret", need: consume("%RETRY%other", group: "g")))
                == #"no permission: AccessKey "consumer" lacks SUB on group "other""#)
        #expect(
            refusal(attempt("producer", "producer-secret", need: .admin("transferLeader")))
                == #"no permission: transferLeader needs an admin account; "producer" is not admin"#)
        #expect(
            refusal(attempt("limitedAdmin", "limited-secret", need: publish("orders")))
                == #"no permission: AccessKey "limitedAdmin" lacks PUB on topic "orders""#)
    }

    @Test("authenticate checks a presented secret key, in constant time, with no white-address bypass")
    func authenticateBySecretKey() throws {
        #expect(try acl.authenticate(accessKey: "operator", secretKey: "operator-secret").admin)
        #expect(try !acl.authenticate(accessKey: "producer", secretKey: "producer-secret").admin)
        #expect(throws: AccessRefusal.wrongSecretKey(accessKey: "operator")) {
            try acl.authenticate(accessKey: "operator", secretKey: "operator-secreT")
        }
        #expect(throws: AccessRefusal.wrongSecretKey(accessKey: "consumer")) {
            try acl.authenticate(accessKey: "consumer", secretKey: "")
        }
        #expect(throws: AccessRefusal.unknownAccessKey("stranger")) {
            try acl.authenticate(accessKey: "stranger", secretKey: "operator-secret")
        }
        #expect(throws: AccessRefusal.unsigned) { try acl.authenticate(accessKey: "", secretKey: "x") }
        #expect(
            AccessRefusal.wrongSecretKey(accessKey: "operator").description
                == #"no permission: the secret key does not match AccessKey "operator""#)
    }
}
