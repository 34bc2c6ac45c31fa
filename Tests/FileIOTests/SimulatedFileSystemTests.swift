import FileIO
import Posix
import Raft
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The durability contract of `FileSystem`, as the simulation enforces it.
@Suite struct SimulatedFileSystemTests {
    @Test func onlySyncedBytesAndNamesSurviveACrash() throws {
        let fs = SimulatedFileSystem(seed: 1)
        var rng = SplitMix64(seed: 1)
        try fs.makeDirectory("/d")
        try fs.syncDirectory("/")
        let synced = try fs.open("/d/synced", create: true)
        try fs.write(synced, at: 0, [1, 2, 3])
        try fs.sync(synced)
        try fs.syncDirectory("/d")
        let unnamed = try fs.open("/d/unnamed", create: true)
        try fs.write(unnamed, at: 0, [4])
        try fs.sync(unnamed)
        fs.crash(&rng)
        #expect(fs.contents(of: "/d/synced") == [1, 2, 3])
        #expect(fs.contents(of: "/d/unnamed") == nil, "a created name needs its directory synced")
    }

    @Test func aFailedSyncLeavesTheDataVolatileEvenAfterARetry() throws {
        let fs = SimulatedFileSystem(seed: 2)
        var rng = SplitMix64(seed: 2)
        let file = try fs.open("/f", create: true)
        try fs.syncDirectory("/")
        try fs.write(file, at: 0, [7, 7])
        fs.failNext(.sync, pathContaining: "/f")
        #expect(throws: SystemError("fdatasync", subject: "/f", errno: EIO)) { try fs.sync(file) }
        try fs.sync(file)  // "succeeds", as on Linux after EIO
        fs.crash(&rng)
        let survivor = try #require(fs.contents(of: "/f"))
        #expect(survivor.allSatisfy { $0 == 0 }, "the bytes never reached the disk: \(survivor)")
    }

    @Test func errorsNameTheCallThePathAndTheErrno() {
        let fs = SimulatedFileSystem(seed: 3)
        #expect(throws: SystemError("open", subject: "/missing", errno: ENOENT)) {
            try fs.open("/missing", create: false)
        }
        #expect(
            SystemError("open", subject: "/missing", errno: ENOENT).description
                == "open /missing: No such file or directory")
    }
}

@Suite struct AtomicReplaceTests {
    @Test func aCrashAnywhereLeavesTheOldOrTheNewBytes() throws {
        let operations: [FileOperation] = [.write, .sync, .rename, .syncDirectory]
        for (operation, seed) in zip(operations, UInt64(0)...) {
            let fs = SimulatedFileSystem(seed: seed)
            var rng = SplitMix64(seed: seed)
            try fs.makeDirectory("/d")
            try fs.syncDirectory("/")
            try fs.replaceAtomically([1], at: "/d/meta")
            fs.failNext(operation, pathContaining: "/d")
            #expect(throws: SystemError.self, "\(operation)") { try fs.replaceAtomically([2, 2], at: "/d/meta") }
            try fs.syncDirectory("/d")  // whatever names exist now survive
            fs.crash(&rng)
            let survivor = try fs.readIfPresent("/d/meta")
            #expect(survivor == [1] || survivor == [2, 2], "failing \(operation): \(String(describing: survivor))")
            let leftovers = try fs.removeTemporaryFiles(in: "/d")
            #expect(leftovers.allSatisfy { $0 == "meta.tmp" }, "failing \(operation)")
            #expect(try fs.listDirectory("/d") == ["meta"], "failing \(operation)")
        }
    }

    @Test func aMissingFileReadsAsNil() throws {
        let fs = SimulatedFileSystem(seed: 4)
        #expect(try fs.readIfPresent("/none") == nil)
    }

    @Test func theRealFileSystemReplacesAndRemovesLeftovers() throws {
        var template = Array("/tmp/fileio-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            Issue.record("mkdtemp failed: errno \(errno)")
            return
        }
        let directory = String(cString: made)
        let fs = RealFileSystem()
        defer {
            do {
                for name in try fs.listDirectory(directory) { try fs.unlink("\(directory)/\(name)") }
            } catch {
                Issue.record("cleaning up \(directory): \(error)")
            }
            _ = rmdir(directory)
        }
        try fs.replaceAtomically([1, 2, 3], at: "\(directory)/meta")
        try fs.replaceAtomically([4], at: "\(directory)/meta")
        #expect(try fs.readIfPresent("\(directory)/meta") == [4])
        let stale = try fs.open("\(directory)/meta.tmp", create: true)
        try fs.close(stale)
        #expect(try fs.removeTemporaryFiles(in: directory) == ["meta.tmp"])
        #expect(try fs.listDirectory(directory) == ["meta"])
        #expect(throws: SystemError("readdir", subject: "\(directory)/none", errno: ENOENT)) {
            try fs.listDirectory("\(directory)/none")
        }
    }
}

@Suite struct SegmentedFileNameTests {
    @Test func namesAreTwentyDigitsAndParseBack() {
        #expect(SegmentedFileName.name(start: 0) == "00000000000000000000")
        #expect(SegmentedFileName.name(start: Int64(1 << 30)) == "00000000001073741824")
        #expect(SegmentedFileName.start(of: "00000000001073741824") == UInt64(1 << 30))
        #expect(SegmentedFileName.start(of: "00000000001073741824", as: Int64.self) == Int64(1 << 30))
        #expect(SegmentedFileName.start(of: "18446744073709551615") == UInt64.max)
        #expect(SegmentedFileName.start(of: "18446744073709551615", as: Int64.self) == nil)
    }

    @Test func otherNamesAreNotSegments() {
        for name in ["", "0", "0000000000000000000a", "+0000000000000000001", "000000000000000000001", "checkpoint"] {
            #expect(SegmentedFileName.start(of: name) == nil, "\(name)")
        }
    }
}
