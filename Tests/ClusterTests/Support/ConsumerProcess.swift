import Posix
import TestSupport
import Testing

@testable import LedgerLocalGroup

#if canImport(Glibc)
    import Glibc
#endif

/// A `ledger consume` process of a test, its stdout and stderr in files of the fixture's
/// directory. Deinit SIGKILLs it if it still runs, so it never outlives its test.
final class ConsumerProcess {
    let child: ChildProcess
    let name: String
    private let stdoutPath: String
    private let stderrPath: String

    /// Starts `ledger consume ARGUMENTS --peers <the fixture's group>`; `name` labels its files.
    init(_ fixture: ClusterFixture, name: String, _ arguments: [String]) throws {
        self.name = name
        stdoutPath = "\(fixture.directory)/consume-\(name).out"
        stderrPath = "\(fixture.directory)/consume-\(name).err"
        child = try ChildProcess.spawn(
            fixture.binary, ["consume"] + arguments + ["--peers", fixture.cluster.peerList], stdoutPath: stdoutPath,
            stderrPath: stderrPath)
    }

    deinit { child.kill() }

    /// The message lines printed so far (`<queue> <offset> <tags> <keys> <body>`), whole lines only.
    var lines: [String] {
        contents(stdoutPath).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The queue ids of the lines printed so far, each once, sorted.
    var queues: [Int] { Array(Set(lines.compactMap { Int($0.split(separator: " ")[0]) })).sorted() }

    /// The bodies of the lines printed so far, in order.
    var bodies: [String] { lines.map { String($0.split(separator: " ", maxSplits: 4).last ?? "") } }

    /// What it said on stderr so far.
    var stderr: String { contents(stderrPath) }

    /// The file at `path` as text; a file that cannot be read is a test failure (spawn created it).
    private func contents(_ path: String) -> String {
        do {
            return String(decoding: try readFile(path), as: UTF8.self)
        } catch {
            Issue.record("cannot read \(path): \(error)")
            return ""
        }
    }

    /// Sends SIGINT and waits up to 15 s for the process to end; returns how it ended.
    func interrupt(_ signal: Int32 = SIGINT) -> LedgerLocalGroup.ExitStatus? {
        child.send(signal)
        return child.wait(timeout: .seconds(15))
    }
}
