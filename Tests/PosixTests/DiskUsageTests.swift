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
}
