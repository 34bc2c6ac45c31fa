import Posix
import Testing

@Suite struct DiskUsageTests {
    @Test func theRootFileSystemHasSpaceInUse() throws {
        let usage = try DiskUsage.of("/")
        #expect(usage.usedBytes > 0)
        #expect(usage.usedBasisPoints > 0 && usage.usedBasisPoints <= 10_000)
    }

    @Test func basisPointsRoundUpLikeDf() {
        #expect(DiskUsage(usedBytes: 3_725, availableBytes: 6_275).usedBasisPoints == 3_725)
        #expect(DiskUsage(usedBytes: 1, availableBytes: 99_999).usedBasisPoints == 1)
        #expect(DiskUsage(usedBytes: 10, availableBytes: 0).usedBasisPoints == 10_000)
        #expect(DiskUsage(usedBytes: 0, availableBytes: 0).usedBasisPoints == 0)
    }

    @Test func aMissingPathIsATypedError() {
        #expect(throws: SystemError.self) { try DiskUsage.of("/no/such/directory/anywhere") }
    }

    @Test func allocatedBytesAddUpAFileTreeLikeDu() throws {
        let root = try makeTemporaryDirectory(prefix: "posix-du")
        defer {
            do {
                try removeTree(root)
            } catch {
                Issue.record("cannot remove \(root): \(error)")
            }
        }
        try makeDirectories("\(root)/a/b")
        try writeFile("\(root)/a/one", [UInt8](repeating: 1, count: 10_000))
        try writeFile("\(root)/a/b/two", [UInt8](repeating: 2, count: 100_000))
        let one = try DiskUsage.allocatedBytes(under: "\(root)/a/one")
        let total = try DiskUsage.allocatedBytes(under: root)
        #expect(one >= 10_000 && one % 512 == 0)
        #expect(total >= one + 100_000, "the whole tree holds both files")
        #expect(try DiskUsage.allocatedBytes(under: "\(root)/missing") == 0, "a vanished name counts 0")
    }
}
