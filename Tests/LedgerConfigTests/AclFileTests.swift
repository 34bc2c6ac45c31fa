import LedgerConfig
import Posix
import TestSupport
import Testing

/// `plain_acl.yml`: RocketMQ's own example parses to what it says, and every way a file can be
/// wrong gives the exact line an operator sees.
@Suite struct AclFileTests {
    /// RocketMQ 4.x's distributed `conf/plain_acl.yml`, comments and all.
    static let rocketMQExample = """
        # Licensed to the Apache Software Foundation (ASF) ...
        globalWhiteRemoteAddresses:
          - 10.10.103.*
          - 192.168.0.*

        accounts:
          - accessKey: RocketMQ
            secretKey: 12345678
            whiteRemoteAddress:
            admin: false
            defaultTopicPerm: DENY
            defaultGroupPerm: SUB
            topicPerms:
              - topicA=DENY
              - topicB=PUB|SUB
              - topicC=SUB
            groupPerms:
              # the group should convert to retry topic
              - groupA=DENY
              - groupB=PUB|SUB
              - groupC=SUB

          - accessKey: rocketmq2
            secretKey: 12345678
            whiteRemoteAddress: 192.168.1.*
            # if it is admin, it could access all resources
            admin: true
        """

    @Test func rocketMQExampleParses() throws {
        let acl = try AccessControlList.parse(Self.rocketMQExample, source: "plain_acl.yml")
        #expect(acl.globalWhiteRemoteAddresses.map(\.text) == ["10.10.103.*", "192.168.0.*"])
        #expect(acl.accounts.count == 2)
        let first = try #require(acl.account("RocketMQ"))
        #expect(first.secretKey == "12345678")
        #expect(first.whiteRemoteAddress == nil)
        #expect(!first.admin)
        #expect(first.defaultTopicPerm == .deny && first.defaultGroupPerm == .sub)
        #expect(first.topicPerms == ["topicA": .deny, "topicB": [.pub, .sub], "topicC": .sub])
        #expect(first.groupPerms == ["groupA": .deny, "groupB": [.pub, .sub], "groupC": .sub])
        #expect(first.line == 7)
        let second = try #require(acl.account("rocketmq2"))
        #expect(second.admin && second.whiteRemoteAddress?.text == "192.168.1.*")
        #expect(second.defaultTopicPerm == .deny && second.topicPerms.isEmpty)
    }

    @Test func yamlVariantsParse() throws {
        let acl = try AccessControlList.parse(
            """
            ---
            globalWhiteRemoteAddresses: []
            accounts:
            - accessKey: "quoted key"   # a comment
              secretKey: 'it''s #secret'
              admin: TRUE
              topicPerms: ["a=PUB", b=SUB|PUB]
              groupPerms: ~
            """, source: "acl.yml")
        #expect(acl.globalWhiteRemoteAddresses.isEmpty)
        let account = try #require(acl.account("quoted key"))
        #expect(account.secretKey == "it's #secret")
        #expect(account.admin)
        #expect(account.topicPerms == ["a": .pub, "b": [.pub, .sub]])
        #expect(account.groupPerms.isEmpty)
        #expect(try AccessControlList.parse("# nothing but a comment\n", source: "acl.yml") == AccessControlList())
    }

    @Test func addressPatterns() throws {
        func pattern(_ text: String) throws -> AddressPattern { try #require(AddressPattern(text)) }
        #expect(try pattern("*").matches("10.1.2.3") && pattern("*.*.*.*").matches("::1"))
        #expect(try pattern("192.168.0.1").matches("192.168.0.1") && !pattern("192.168.0.1").matches("192.168.0.2"))
        #expect(try pattern("192.168.0.*").matches("192.168.0.77") && !pattern("192.168.0.*").matches("192.168.1.7"))
        #expect(try pattern("192.168.*.*").matches("192.168.9.9") && !pattern("192.168.*.*").matches("192.169.0.1"))
        #expect(try pattern("192.168.*").matches("192.168.200.1"))
        let range = try pattern("192.168.1.1-100")
        #expect(range.matches("192.168.1.1") && range.matches("192.168.1.100"))
        #expect(!range.matches("192.168.1.0") && !range.matches("192.168.1.101") && !range.matches("192.168.2.50"))
        #expect(try pattern("10.1-3.*.*").matches("10.2.0.0") && !pattern("10.1-3.*.*").matches("10.4.0.0"))
        let listed = try pattern("192.168.1.{1,2}")
        #expect(listed.matches("192.168.1.2") && !listed.matches("192.168.1.3"))
        let several = try pattern("127.0.0.1,10.0.0.2")
        #expect(several.matches("10.0.0.2") && !several.matches("10.0.0.3"))
        #expect(try !pattern("127.0.0.1").matches("::1"))
        for bad in [
            "", "192.168.0", "192.168.0.256", "192.168.1.100-1", "192.168.1.-5", "*.168.0.1", "192.168.*.1",
            "192.168.1.{1,x}", "192.168.{1,2}", "localhost", "::1", "192.168.0.01a", "1.2.3.4,",
        ] {
            #expect(AddressPattern(bad) == nil, "\(bad) should be refused")
        }
    }

    // MARK: - Every error message

    @Test func unreadableFiles() throws {
        let directory = try TemporaryDirectory(prefix: "acl-file")
        defer { try? directory.remove() }
        let missing = "\(directory.path)/missing.yml"
        #expect(
            loadError(missing)
                == "\(missing): expected a readable ACL file (No such file or directory)")
        let binary = "\(directory.path)/binary.yml"
        try writeFile(binary, [0x61, 0xFF, 0xFE])
        #expect(loadError(binary) == #"\#(binary): expected UTF-8 text, got "bytes that are not""#)
    }

    @Test func yamlSyntaxErrors() {
        #expect(
            error("accounts:\n\t- accessKey: abcdef") == #"acl.yml:2: expected spaces for indentation, got "a tab""#)
        #expect(
            error("  accounts:")
                == #"acl.yml:1: expected the first setting at the start of the line, got "accounts:""#)
        #expect(
            error("accounts:\n  - accessKey: \"abcdef")
                == #"acl.yml:2: expected a closing " on the same line, got "\"abcdef""#)
        #expect(
            error("accounts:\n  - accessKey: 'abcdef")
                == #"acl.yml:2: expected a closing ' on the same line, got "\'abcdef""#)
        #expect(
            error("accounts:\n  - accessKey: 'abcdef' x")
                == #"acl.yml:2: expected nothing after the closing quote, got "\'abcdef\' x""#)
        #expect(
            error(#"accounts:\#n  - accessKey: "ab\qcdef""#)
                == #"acl.yml:2: expected an escape \\, \", \n, \t, \r or \/ in a double-quoted value, got "\"ab\\qcdef\"""#
        )
        #expect(
            error("globalWhiteRemoteAddresses:\n  - *")
                == #"acl.yml:2: expected a plain or quoted value (anchors, aliases, tags, block scalars and {...} are not supported; quote a value that starts with *), got "*""#
        )
        #expect(
            error("globalWhiteRemoteAddresses: [10.0.0.1, 10.0.0.2")
                == #"acl.yml:1: expected a closing ] on the same line, got "[10.0.0.1, 10.0.0.2""#)
        #expect(
            error("globalWhiteRemoteAddresses: [10.0.0.1,, 10.0.0.2]")
                == #"acl.yml:1: expected a list of values separated by commas, got "[10.0.0.1,, 10.0.0.2]""#)
        #expect(error("accounts:\n  just words") == #"acl.yml:2: expected key: value, got "just words""#)
        #expect(
            error("accounts:\n  - accessKey: abcdef\n     secretKey: abcdef")
                == #"acl.yml:3: expected indentation of 4 spaces or less, like the lines above, got "5 spaces before secretKey: abcdef""#
        )
        #expect(
            error("accounts:\n  - accessKey: a: b")
                == #"acl.yml:2: expected a value without ": " (quote it, or put key: value on a line of its own), got "a: b""#
        )
    }

    @Test func schemaErrors() {
        #expect(error("just a value") == #"acl.yml:1: expected key: value, got "just a value""#)
        #expect(
            error("- a\n- b")
                == #"acl.yml:1: expected globalWhiteRemoteAddresses: and accounts: settings, got "a list""#)
        #expect(
            error("globalWhiteAddresses:\n  - 10.0.0.1")
                == #"acl.yml:1: expected one of the keys globalWhiteRemoteAddresses, accounts, got "globalWhiteAddresses""#
        )
        #expect(
            error("accounts:\naccounts:")
                == #"acl.yml:2: accounts: expected one accounts (it is set on line 1 already), got "a second one""#)
        #expect(
            error("globalWhiteRemoteAddresses: 10.0.0.1")
                == #"acl.yml:1: globalWhiteRemoteAddresses: expected a list of addresses, one per line starting with "- ", got "10.0.0.1""#
        )
        #expect(
            error("accounts:\n  accessKey: abcdef")
                == #"acl.yml:2: accounts: expected a list of accounts, one per line starting with "- ", got "key: value lines""#
        )
        #expect(
            error("accounts:\n  - abcdef")
                == #"acl.yml:2: accounts[1]: expected an account: accessKey:, secretKey: and the other account keys beneath "- ", got "abcdef""#
        )
        #expect(
            error("globalWhiteRemoteAddresses:\n  - 10.0.0.300")
                == #"acl.yml:2: globalWhiteRemoteAddresses: expected an IPv4 address or pattern: *, 192.168.0.1, 192.168.0.*, 192.168.1.1-100, 192.168.1.{1,2} or addresses joined with commas, got "10.0.0.300""#
        )
        #expect(
            error("globalWhiteRemoteAddresses:\n  - [10.0.0.1]")
                == #"acl.yml:2: globalWhiteRemoteAddresses: expected a single value, got "a list""#)
    }

    @Test func accountErrors() {
        #expect(
            account("secretKey: abcdef\nadmn: true")
                == #"acl.yml:4: accounts[1]: expected one of the keys accessKey, secretKey, whiteRemoteAddress, admin, defaultTopicPerm, defaultGroupPerm, topicPerms, groupPerms, got "admn""#
        )
        #expect(
            account("secretKey: abcdef\nadmin: true\nadmin: false")
                == #"acl.yml:5: accounts[1].admin: expected one admin (it is set on line 4 already), got "a second one""#
        )
        #expect(
            error("accounts:\n  - secretKey: abcdefgh")
                == #"acl.yml:2: accounts[1]: expected accessKey: of 6 or more characters in every account, got "an account without one""#
        )
        #expect(
            account("admin: true")
                == #"acl.yml:2: accounts[1]: expected secretKey: of 6 or more characters in every account, got "an account without one""#
        )
        #expect(
            error("accounts:\n  - accessKey: abc\n    secretKey: abcdefgh")
                == #"acl.yml:2: accounts[1].accessKey: expected 6 or more characters (no control characters), got "abc""#
        )
        #expect(
            account("secretKey: \"abc\\tdefgh\"")
                == #"acl.yml:3: accounts[1].secretKey: expected 6 or more characters (no control characters), got "9 characters""#
        )
        #expect(
            account("secretKey: abcdef\nsecretKey: [a, b]").map {
                $0.hasPrefix("acl.yml:4: accounts[1].secretKey: expected one")
            }
                == true)
        #expect(
            account("secretKey: [abcdefgh]")
                == #"acl.yml:3: accounts[1].secretKey: expected a single value, got "a list""#)
        #expect(
            error(
                "accounts:\n  - accessKey: abcdef\n    secretKey: abcdefgh\n  - accessKey: abcdef\n    secretKey: 12345678"
            )
                == #"acl.yml:4: accounts[2].accessKey: expected an accessKey no other account uses (the account on line 2 has it), got "abcdef""#
        )
        #expect(
            account("secretKey: abcdef\nadmin: yes")
                == #"acl.yml:4: accounts[1].admin: expected true or false, got "yes""#)
        #expect(
            account("secretKey: abcdef\nwhiteRemoteAddress: 10.0.0.*.*")
                == #"acl.yml:4: accounts[1].whiteRemoteAddress: expected an IPv4 address or pattern: *, 192.168.0.1, 192.168.0.*, 192.168.1.1-100, 192.168.1.{1,2} or addresses joined with commas, got "10.0.0.*.*""#
        )
        #expect(
            account("secretKey: abcdef\ndefaultTopicPerm: ALL")
                == #"acl.yml:4: accounts[1].defaultTopicPerm: expected DENY, PUB, SUB or PUB|SUB, got "ALL""#)
        #expect(
            account("secretKey: abcdef\ndefaultGroupPerm:")
                == #"acl.yml:4: accounts[1].defaultGroupPerm: expected DENY, PUB, SUB or PUB|SUB, got """#)
        #expect(
            account("secretKey: abcdef\ntopicPerms:\n  - topicA")
                == #"acl.yml:5: accounts[1].topicPerms: expected TOPIC=PERM with PERM one of DENY, PUB, SUB, PUB|SUB, got "topicA""#
        )
        #expect(
            account("secretKey: abcdef\ntopicPerms:\n  - topicA=ALL")
                == #"acl.yml:5: accounts[1].topicPerms: expected TOPIC=PERM with PERM one of DENY, PUB, SUB, PUB|SUB, got "topicA=ALL""#
        )
        #expect(
            account("secretKey: abcdef\ngroupPerms:\n  - =SUB")
                == #"acl.yml:5: accounts[1].groupPerms: expected GROUP=PERM with PERM one of DENY, PUB, SUB, PUB|SUB, got "=SUB""#
        )
        #expect(
            account("secretKey: abcdef\ntopicPerms:\n  - topicA=PUB\n  - topicA=SUB")
                == #"acl.yml:6: accounts[1].topicPerms: expected each topic once (topicA is on line 5 already), got "topicA=SUB""#
        )
        #expect(
            account("secretKey: abcdef\ngroupPerms: SUB")
                == #"acl.yml:4: accounts[1].groupPerms: expected a list of GROUP=PERM entries, one per line starting with "- ", got "SUB""#
        )
    }

    /// The error `text` gives, or nil (recorded as an issue) when it parses.
    private func error(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do {
            let acl = try AccessControlList.parse(text, source: "acl.yml")
            Issue.record("expected an error, parsed \(acl)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error.description
        }
    }

    /// The error of a file with one account `accessKey: abcdef` followed by `lines` (indented).
    private func account(_ lines: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let indented = lines.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }
        return error(
            "accounts:\n  - accessKey: abcdef\n" + indented.joined(separator: "\n"), sourceLocation: sourceLocation)
    }

    private func loadError(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do {
            let acl = try AccessControlList.load(path: path)
            Issue.record("expected an error, loaded \(acl)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error.description
        }
    }
}
