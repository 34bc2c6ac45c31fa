import LedgerConfig

extension FuzzTarget {
    /// A `plain_acl.yml`: parsed, or refused with an error whose line lies inside the text. A
    /// parsed ACL decides a request of every kind without trapping, and each address pattern it
    /// holds reads back from its own text.
    static func runAcl(_ bytes: [UInt8]) -> FuzzViolation? {
        let text = String(decoding: bytes, as: UTF8.self)
        let acl: AccessControlList
        do {
            acl = try AccessControlList.parse(text, source: "fuzz.yml")
        } catch {
            let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.count
            if let line = error.line, line < 1 || line > lines {
                return FuzzViolation("error names line \(line) of a \(lines)-line file: \(error)")
            }
            return nil
        }
        let patterns = acl.globalWhiteRemoteAddresses + acl.accounts.compactMap(\.whiteRemoteAddress)
        for pattern in patterns where AddressPattern(pattern.text) != pattern {
            return FuzzViolation("address pattern \(pattern.text) does not read back from its text")
        }
        let content = Array(text.utf8.prefix(64))
        for account in acl.accounts {
            let need = AccessNeed(
                adminOperation: account.admin ? nil : "transferLeader",
                resources: account.topicPerms.keys.sorted().map { .init(.forTopic($0), .pub) }
                    + account.groupPerms.keys.sorted().map { .init(.group($0), .sub) })
            let signed = AccessAttempt(
                remoteAddress: "192.168.1.7", accessKey: account.accessKey,
                signature: AclSignature.sign(content, secretKey: account.secretKey), content: content, need: need)
            do {
                _ = try acl.authorize(signed)
            } catch {
                if case .badSignature = error {
                    return FuzzViolation("the account's own signature was refused for \(account)")
                }
            }
        }
        return nil
    }

    /// A file with every setting the format knows.
    static let aclSeed = """
        globalWhiteRemoteAddresses:
          - 10.10.103.*
          - 192.168.0.1-100
        accounts:
          - accessKey: RocketMQ
            secretKey: "12345678"
            whiteRemoteAddress: 192.168.1.{1,2}
            admin: false
            defaultTopicPerm: DENY
            defaultGroupPerm: SUB
            topicPerms:
              - topicA=DENY
              - topicB=PUB|SUB
            groupPerms: [groupA=SUB, 'groupB=PUB']
          - accessKey: admin-key
            secretKey: 'admin''secret'  # a comment
            admin: true

        """
}
