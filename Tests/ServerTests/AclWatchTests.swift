import LedgerConfig
import Posix
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// The ACL file watch: a changed file is read again, a broken or vanished one is reported once
/// and the ACL in force stays.
@Suite struct AclWatchTests {
    static let one = "accounts:\n  - accessKey: first-key\n    secretKey: first-secret\n"
    static let two = one + "  - accessKey: second-key\n    secretKey: second-secret\n"

    @Test func changesAreReadAndBrokenFilesKeepTheACL() throws {
        let directory = try TemporaryDirectory(prefix: "acl-watch")
        defer { try? directory.remove() }
        let path = "\(directory.path)/plain_acl.yml"
        try writeFile(path, Array(Self.one.utf8))
        let stamp = try fileStamp(path)
        var watch = AclWatch(path: path, initial: try AccessControlList.load(path: path), stamp: stamp)
        #expect(watch.check() == .unchanged)

        // A new file renamed over the old one (another inode), as an operator should write it.
        try writeFile("\(path).new", Array(Self.two.utf8))
        #expect(rename("\(path).new", path) == 0)
        #expect(watch.check() == .reloaded(accounts: 2, whiteAddresses: 0))
        #expect(watch.current.account("second-key") != nil)
        #expect(watch.check() == .unchanged)

        try writeFile(path, Array("accounts:\n  - accessKey: x\n".utf8))
        #expect(
            watch.check()
                == .unusable(
                    #"\#(path):2: accounts[1].accessKey: expected 6 or more characters (no control characters), got "x""#
                ))
        #expect(watch.check() == .unchanged, "a broken file is reported once")
        #expect(watch.current.accounts.count == 2, "the ACL in force stays")

        #expect(unlink(path) == 0)
        guard case .unusable(let reason) = watch.check() else {
            Issue.record("a vanished file was not reported")
            return
        }
        #expect(reason.contains("No such file or directory"), "\(reason)")
        #expect(watch.check() == .unchanged)
        #expect(watch.current.accounts.count == 2)

        try writeFile(path, Array(Self.one.utf8))
        #expect(watch.check() == .reloaded(accounts: 1, whiteAddresses: 0))
    }
}
