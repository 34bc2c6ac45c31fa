import Posix
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The whole-file helpers: what is written reads back, directories list and go away whole.
@Suite struct FilesTests {
    @Test func writtenBytesReadBackAndTreesAreRemovedWhole() throws {
        let root = try makeTemporaryDirectory(prefix: "posix-files-test")
        #expect(root.hasPrefix((getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/posix-files-test-"))
        try makeDirectories("\(root)/a/b")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try writeFile("\(root)/a/b/data", bytes)
        try writeFile("\(root)/a/empty", [])
        #expect(try readFile("\(root)/a/b/data") == bytes)
        #expect(try readFile("\(root)/a/empty") == [])
        #expect(try Directory.list("\(root)/a").sorted() == ["b", "empty"])
        #expect(fileExists("\(root)/a/b/data"))

        try removeTree(root)
        #expect(!fileExists(root))
        try removeTree(root)  // already gone: fine
    }

    @Test func failuresNameTheCallAndThePath() {
        #expect(throws: SystemError("open", subject: "/nonexistent/file", errno: ENOENT)) {
            try readFile("/nonexistent/file")
        }
        #expect(throws: SystemError("readdir", subject: "/nonexistent", errno: ENOENT)) {
            try Directory.list("/nonexistent")
        }
    }

    @Test func theRunningExecutableIsFound() throws {
        let path = try currentExecutablePath()
        #expect(path.hasPrefix("/") && fileExists(path))
    }
}
