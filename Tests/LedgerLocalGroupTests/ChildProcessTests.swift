import Posix
import TestSupport
import Testing

@testable import LedgerLocalGroup

#if canImport(Glibc)
    import Glibc
#endif

/// Starting, signalling and reaping child processes, on `/bin/sh`.
@Suite struct ChildProcessTests {
    @Test func runCapturesOutputAndExitCode() throws {
        let scratch = try TemporaryDirectory(prefix: "child-process-test")
        defer { #expect(throws: Never.self) { try scratch.remove() } }
        let run = try ChildProcess.run(
            "/bin/sh", ["-c", "cat; echo err >&2; exit 3"], stdin: "in\n", scratchDirectory: scratch.path)
        #expect(run.status == .exited(3))
        #expect(run.stdout == "in\n")
        #expect(run.stderr == "err\n")
        #expect(try Directory.list(scratch.path).isEmpty, "run removes its scratch files")
    }

    @Test func aChildStillRunningAtTheTimeoutIsKilled() throws {
        let scratch = try TemporaryDirectory(prefix: "child-process-test")
        defer { #expect(throws: Never.self) { try scratch.remove() } }
        let run = try ChildProcess.run(
            "/bin/sh", ["-c", "sleep 10"], scratchDirectory: scratch.path, timeout: .milliseconds(100))
        #expect(run.status == .signaled(SIGKILL))
    }

    @Test func signalsReachTheChildAndItIsReaped() throws {
        let child = try ChildProcess.spawn("/bin/sh", ["-c", "sleep 10"], stdoutPath: nil, stderrPath: nil)
        #expect(child.isRunning)
        child.send(SIGTERM)
        #expect(child.wait(timeout: .seconds(5)) == .signaled(SIGTERM))
        #expect(!child.isRunning && child.exitStatus == .signaled(SIGTERM))
        #expect(child.kill() == .signaled(SIGTERM), "killing a reaped child reports how it ended")
    }

    @Test func exitStatusDecodesWaitStatusWords() {
        #expect(ExitStatus(waitStatus: 0) == .exited(0))
        #expect(ExitStatus(waitStatus: 2 << 8) == .exited(2))
        #expect(ExitStatus(waitStatus: SIGKILL) == .signaled(SIGKILL))
        #expect(ExitStatus.exited(2).description == "exit code 2")
        #expect(ExitStatus.signaled(9).description == "killed by signal 9")
    }
}
