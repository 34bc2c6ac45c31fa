import LedgerConfig
import Posix
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `clusterSecretFile`: when it is required, and every way a secret file is refused, each with a
/// message that names the config line and the secret file.
@Suite struct ClusterSecretTests {
    /// A fresh directory for one test's secret files, removed afterwards.
    private func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = try TemporaryDirectory(prefix: "cluster-secret-test")
        defer {
            do { try directory.remove() } catch { Issue.record("cannot remove \(directory.path): \(error)") }
        }
        try body(directory.path)
    }

    /// A config (as `conf/n0.conf`) whose line 5 names `path` as the secret file.
    private func config(secretFile path: String) throws -> NodeConfig {
        try NodeConfig.parse("\(requiredLines)\nclusterSecretFile=\(path)", source: "conf/n0.conf")
    }

    /// The message loading the secret named by a config fails with, or a recorded issue.
    private func loadError(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let config = try config(secretFile: path)
        do {
            let secret = try config.loadClusterSecret(source: "conf/n0.conf")
            Issue.record("expected an error, loaded \(String(describing: secret))", sourceLocation: sourceLocation)
            return ""
        } catch {
            return error.description
        }
    }

    /// Writes `bytes` to `path` with exactly the permission bits `mode`.
    private func write(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
        try writeFile(path, bytes, mode: mode)
        try setPermissions(path, mode)
    }

    @Test func anOwnerOnlyFileIsLoadedAsItIs() throws {
        try withDirectory { directory in
            let path = "\(directory)/secret"
            let bytes: [UInt8] = Array("0123456789abcdef-and-a-newline\n".utf8)
            try write(path, bytes, mode: 0o600)
            let secret = try #require(try config(secretFile: path).loadClusterSecret(source: "conf/n0.conf"))
            #expect(secret.bytes == bytes)
            #expect(secret.description == "cluster secret (31 bytes)", "the bytes never show")
            #expect("\(secret)".contains("0123") == false)

            let readOnly = "\(directory)/read-only"
            try write(readOnly, Array(bytes.prefix(16)), mode: 0o400)
            let sixteen = try #require(try config(secretFile: readOnly).loadClusterSecret(source: "conf/n0.conf"))
            #expect(sixteen.bytes.count == 16)
        }
    }

    @Test func withoutTheKeyOnLoopbackThereIsNoSecret() throws {
        let config = try NodeConfig.parse(requiredLines, source: "conf/n0.conf")
        #expect(config.clusterSecretFile == nil)
        #expect(try config.loadClusterSecret(source: "conf/n0.conf") == nil)
        let localhost = "group=g\nselfId=n0\npeers=n0-localhost:1;n1-127.0.0.2:2;n2-[::1]:3\nstoreBaseDir=d"
        #expect(try NodeConfig.parse(localhost, source: "l.conf").clusterSecretFile == nil)
    }

    @Test func requiredWhenAPeerIsNotOnLoopback() {
        let text = "group=g\nselfId=n0\npeers=n0-127.0.0.1:1;n1-10.0.0.2:2\nstoreBaseDir=d"
        #expect(
            errorMessage(text)
                == #"conf/n0.conf: missing key "clusterSecretFile", required because peer n1 (10.0.0.2) is not on loopback: peers must authenticate with a group secret (Sources/Server/SECURITY.md)"#
        )
        let lookalike = "group=g\nselfId=n0\npeers=n0-127.0.0.1:1;n1-127.example.com:2\nstoreBaseDir=d"
        #expect(errorMessage(lookalike)?.contains("peer n1 (127.example.com) is not on loopback") == true)
        #expect(
            errorMessage("\(requiredLines)\nclusterSecretFile=")
                == #"conf/n0.conf:5: clusterSecretFile: expected a file path, got """#)
    }

    @Test func aMissingFileIsRefused() throws {
        try withDirectory { directory in
            let path = "\(directory)/absent"
            let message = try loadError(path)
            #expect(message == #"conf/n0.conf:5: clusterSecretFile: the secret file "\#(path)" does not exist"#)
        }
    }

    @Test func anEmptyFileIsRefused() throws {
        try withDirectory { directory in
            let path = "\(directory)/empty"
            try write(path, [], mode: 0o600)
            let expected =
                #"conf/n0.conf:5: clusterSecretFile: the secret file "\#(path)" is empty; it must hold at least 16 random bytes"#
            let message = try loadError(path)
            #expect(message == expected)
        }
    }

    @Test func aShortFileIsRefused() throws {
        try withDirectory { directory in
            let path = "\(directory)/short"
            try write(path, Array("fifteen bytes!!".utf8), mode: 0o600)
            let expected =
                #"conf/n0.conf:5: clusterSecretFile: the secret file "\#(path)" holds 15 bytes; it must hold at least 16 random bytes"#
            let message = try loadError(path)
            #expect(message == expected)
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601])
    func aFileOthersCanAccessIsRefused(mode: Int) throws {
        try withDirectory { directory in
            let path = "\(directory)/exposed"
            try write(path, [UInt8](repeating: 7, count: 32), mode: mode_t(mode))
            let octal = String(mode, radix: 8)
            let expected =
                #"conf/n0.conf:5: clusterSecretFile: the secret file "\#(path)" is accessible to group or others (mode 0\#(octal)); make it readable by its owner only (chmod 600)"#
            let message = try loadError(path)
            #expect(message == expected)
        }
    }

    @Test func aDirectoryOrAHugeFileIsRefused() throws {
        try withDirectory { directory in
            let folder = "\(directory)/folder"
            try makeDirectories(folder, mode: 0o700)
            let folderMessage = try loadError(folder)
            #expect(folderMessage.hasSuffix(#""\#(folder)" is not a regular file"#))
            let huge = "\(directory)/huge"
            try write(huge, [UInt8](repeating: 1, count: 5000), mode: 0o600)
            let hugeMessage = try loadError(huge)
            #expect(
                hugeMessage.hasSuffix(" holds 5000 bytes; a secret file holds at most 4096 (is it the right file?)"))
        }
    }
}
