import LedgerConfig
import Posix
import TestSupport
import Testing

/// `aclEnable` and `aclFile` in a node's config file, and loading the file they name.
@Suite struct AclConfigTests {
    @Test func offByDefaultWithRocketMQsFileName() throws {
        let config = try NodeConfig.parse(requiredLines, source: "conf/n0.conf")
        #expect(!config.aclEnable)
        #expect(config.aclFile == "conf/plain_acl.yml")
        #expect(try config.loadAccessControlList(source: "conf/n0.conf") == nil)
        #expect(config.adminMetricsOpen)
    }

    @Test func adminMetricsOpenClosesMonitoringWithTheAcl() throws {
        let closed = try NodeConfig.parse(
            "\(requiredLines)\nadminPort=8081\naclEnable=true\nadminMetricsOpen=false", source: "conf/n0.conf")
        #expect(!closed.adminMetricsOpen)
        let open = try NodeConfig.parse(
            "\(requiredLines)\nadminPort=8081\nadminMetricsOpen=true", source: "conf/n0.conf")
        #expect(open.adminMetricsOpen)
    }

    @Test func enabledLoadsTheFile() throws {
        let directory = try TemporaryDirectory(prefix: "acl-config")
        defer { try? directory.remove() }
        let path = "\(directory.path)/plain_acl.yml"
        try writeFile(path, Array("accounts:\n  - accessKey: abcdef\n    secretKey: abcdefgh\n".utf8))
        let config = try NodeConfig.parse("\(requiredLines)\naclEnable=true\naclFile=\(path)", source: "conf/n0.conf")
        #expect(config.aclEnable && config.aclFile == path)
        let acl = try #require(try config.loadAccessControlList(source: "conf/n0.conf"))
        #expect(acl.accounts.map(\.accessKey) == ["abcdef"])
    }

    @Test func badValuesAndFiles() throws {
        #expect(
            errorMessage("\(requiredLines)\naclEnable=yes")
                == #"conf/n0.conf:5: aclEnable: expected true or false, got "yes""#)
        #expect(errorMessage("\(requiredLines)\naclFile=") == #"conf/n0.conf:5: aclFile: expected a file path, got """#)
        let config = try NodeConfig.parse(
            "\(requiredLines)\naclEnable=true\naclFile=/nonexistent/plain_acl.yml", source: "conf/n0.conf")
        do {
            _ = try config.loadAccessControlList(source: "conf/n0.conf")
            Issue.record("a missing ACL file was accepted")
        } catch {
            #expect(
                error.description
                    == "conf/n0.conf:6: aclFile: /nonexistent/plain_acl.yml: expected a readable ACL file (No such file or directory)"
            )
        }
    }
}
