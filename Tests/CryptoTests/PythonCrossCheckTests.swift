import Crypto
import Foundation
import TestSupport
import Testing

/// SHA-1, SHA-256, HMAC-SHA1 and HMAC-SHA256 agree with Python's `hashlib` and `hmac` on random
/// keys and messages of random lengths (0–300 bytes, so every padding case and keys both shorter
/// and longer than a block). Python draws the inputs from a printed seed; a failure names the
/// seed and the case so it can be replayed.
@Suite struct PythonCrossCheckTests {
    static let script = """
        import hashlib, hmac, random, sys
        rng = random.Random(int(sys.argv[1]))
        for _ in range(int(sys.argv[2])):
            key = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 200)))
            message = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 300)))
            print(key.hex(), message.hex(), hashlib.sha1(message).hexdigest(), hashlib.sha256(message).hexdigest(),
                  hmac.new(key, message, "sha1").hexdigest(), hmac.new(key, message, "sha256").hexdigest())
        """

    @Test func agreesWithPython() throws {
        let seed = UInt64.random(in: 1...1_000_000)
        let cases = 300
        let output = try runPython(arguments: ["-c", PythonCrossCheckTests.script, "\(seed)", "\(cases)"])
        let lines = output.split(separator: "\n")
        #expect(lines.count == cases, "seed \(seed): python printed \(lines.count) lines")
        for (number, line) in lines.enumerated() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let replay = "seed \(seed), case \(number) (replay: python3 -c SCRIPT \(seed) \(cases))"
            guard fields.count == 6, let key = bytes(hex: fields[0]), let message = bytes(hex: fields[1]) else {
                Issue.record("\(replay): unexpected line \(line)")
                continue
            }
            #expect(hex(SHA1.hash(message)) == fields[2], "\(replay): SHA-1")
            #expect(hex(SHA256.hash(message)) == fields[3], "\(replay): SHA-256")
            #expect(hex(HMAC<SHA1>.authenticationCode(for: message, key: key)) == fields[4], "\(replay): HMAC-SHA1")
            #expect(
                hex(HMAC<SHA256>.authenticationCode(for: message, key: key)) == fields[5], "\(replay): HMAC-SHA256")
        }
    }

    /// Runs `python3 ARGUMENTS` and returns its standard output; throws when it does not exit 0.
    private func runPython(arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PythonFailed(status: process.terminationStatus) }
        return String(decoding: data, as: UTF8.self)
    }

    struct PythonFailed: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "python3 exited with status \(status)" }
    }
}
