import Posix
import Testing

@Suite struct SystemRandomTests {
    @Test func drawsAreOfTheAskedSizeAndDiffer() throws {
        #expect(try SystemRandom.bytes(count: 0).isEmpty)
        let first = try SystemRandom.bytes(count: 32)
        let second = try SystemRandom.bytes(count: 32)
        #expect(first.count == 32 && second.count == 32)
        // Two equal 256-bit draws happen with probability 2^-256: equality means a broken reader.
        #expect(first != second)
        #expect(first != [UInt8](repeating: 0, count: 32))
    }

    @Test func statusReportsTypePermissionsAndSize() throws {
        let directory = try makeTemporaryDirectory(prefix: "status-test")
        defer {
            do { try removeTree(directory) } catch { Issue.record("cannot remove \(directory): \(error)") }
        }
        let path = "\(directory)/file"
        try writeFile(path, [1, 2, 3], mode: 0o600)
        try setPermissions(path, 0o640)
        let file = try FileDescriptor.openReadOnly(path)
        let status = try file.status()
        try file.close()
        #expect(status == FileStatus(isRegularFile: true, permissions: 0o640, size: 3))
        let folder = try FileDescriptor.openReadOnly(directory)
        #expect(try folder.status().isRegularFile == false)
        try folder.close()
    }
}
