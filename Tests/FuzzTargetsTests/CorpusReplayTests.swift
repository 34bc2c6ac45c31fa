import FuzzTargets
import Posix
import Testing

/// `make test` runs every committed fuzzing input — the seeds `make fuzz` starts from and every
/// crash input ever found (kept as `crash-*` after its fix) — through the same entry points the
/// fuzzer drives, without the fuzzer.
@Suite struct CorpusReplayTests {
    /// `Tests/FuzzCorpus`, found from this file's path.
    static let corpus: String = {
        // …/Tests/FuzzTargetsTests/CorpusReplayTests.swift → …/Tests/FuzzCorpus
        let parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(2)
        return parts.joined(separator: "/") + "/FuzzCorpus"
    }()

    static func inputs(of target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let directory = "\(corpus)/\(target.rawValue)"
        return try Directory.list(directory).sorted().map { name throws(SystemError) in
            (name, try readFile("\(directory)/\(name)"))
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyCommittedInputKeepsItsProperties(target: FuzzTarget) throws {
        let inputs = try Self.inputs(of: target)
        #expect(!inputs.isEmpty, "no corpus for \(target.rawValue) in \(Self.corpus)")
        for input in inputs {
            let violation = target.run(input.bytes)
            #expect(
                violation == nil, "\(target.rawValue)/\(input.name): \(violation.map(String.init(describing:)) ?? "")")
        }
    }

    /// The committed seeds are what the encoders make today: a format change that the corpus
    /// did not follow shows here (rewrite them with `ledger-fuzz TARGET --write-seeds DIR`).
    @Test(arguments: FuzzTarget.allCases)
    func theCommittedSeedsAreTheEncodersOutput(target: FuzzTarget) throws {
        let committed = try Self.inputs(of: target).filter { $0.name.hasPrefix("seed-") }.map(\.bytes)
        #expect(committed == (try target.seeds()))
    }

    /// Damaged inputs of each kind reach the decoders' error paths and are refused without a
    /// violation: a config key given twice, a frame with a zero length, a data file of 0xFF.
    @Test func refusedInputsAreNotViolations() {
        #expect(FuzzTarget.config.run(Array("group=a\ngroup=b\n".utf8)) == nil)
        #expect(FuzzTarget.wire.run([0, 0, 0, 0, 9, 1]) == nil)
        #expect(FuzzTarget.remoting.run([0, 0, 0, 0, 0, 0, 0, 0, 0]) == nil)
        #expect(FuzzTarget.logStore.run(Array(repeating: 0xFF, count: 200)) == nil)
    }
}
