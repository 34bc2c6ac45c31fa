import Posix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A process this program started, which it must reap (``wait(timeout:)``) after it ends.
///
/// The child starts with an empty signal mask and default signal handling, whatever this
/// process blocks, so SIGTERM reaches it as `kill` intends.
package final class ChildProcess {
    package let pid: pid_t
    /// What the executable and arguments were, for messages.
    package let commandLine: String
    /// Set once the child has been reaped.
    package private(set) var exitStatus: ExitStatus?

    private init(pid: pid_t, commandLine: String) {
        self.pid = pid
        self.commandLine = commandLine
    }

    /// Starts `executable` (a path) with `arguments`. Standard input reads `stdinPath`; standard
    /// output and error go to the given files, created if missing and appended to, or to
    /// `/dev/null` when nil. `posix_spawn(3)`.
    package static func spawn(
        _ executable: String, _ arguments: [String], stdinPath: String = "/dev/null", stdoutPath: String?,
        stderrPath: String?
    ) throws(SystemError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let output = O_WRONLY | O_CREAT | O_APPEND
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath ?? "/dev/null", output, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? "/dev/null", output, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard result == 0 else { throw SystemError("posix_spawn", subject: executable, errno: result) }
        return ChildProcess(pid: pid, commandLine: ([executable] + arguments).joined(separator: " "))
    }

    /// Sends `signal` unless the child was already reaped. `kill(2)`.
    package func send(_ signal: Int32) {
        guard exitStatus == nil else { return }
        // ESRCH cannot happen before the child is reaped (a zombie still has its pid), and this
        // process may signal its own children, so the result carries no information.
        _ = Glibc.kill(pid, signal)
    }

    /// Whether the child has not yet ended.
    package var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits up to `timeout` for the child to end; returns how it ended, or nil if it still runs.
    @discardableResult
    package func wait(timeout: Duration) -> ExitStatus? {
        let deadline = ContinuousClock().now + timeout
        while true {
            if let status = reap(blocking: false) { return status }
            if ContinuousClock().now >= deadline { return nil }
            usleep(10_000)
        }
    }

    /// SIGKILLs the child if it still runs and reaps it; returns how it ended.
    @discardableResult
    package func kill() -> ExitStatus {
        send(SIGKILL)
        return reap(blocking: true)!
    }

    private func reap(blocking: Bool) -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid {
                exitStatus = ExitStatus(waitStatus: status)
                return exitStatus
            }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            preconditionFailure(
                "waitpid(\(pid)) failed: \(SystemError("waitpid", errno: errno)); was the child reaped elsewhere?")
        }
    }

    /// What a finished command printed and how it ended.
    package struct Completed: Sendable {
        package var status: ExitStatus
        package var stdout: String
        package var stderr: String
    }

    /// Runs `executable` to completion with `stdin` as its input, capturing its output in files
    /// under `scratchDirectory`. A child still running after `timeout` is killed and reported as
    /// `.signaled(SIGKILL)`.
    package static func run(
        _ executable: String, _ arguments: [String], stdin: String = "", scratchDirectory: String,
        timeout: Duration = .seconds(30)
    ) throws(SystemError) -> Completed {
        let base = "\(scratchDirectory)/run-\(getpid())-\(nextRunNumber())"
        let inputPath = "\(base).in"
        try writeFile(inputPath, Array(stdin.utf8))
        let child = try spawn(
            executable, arguments, stdinPath: inputPath, stdoutPath: "\(base).out", stderrPath: "\(base).err")
        let status = child.wait(timeout: timeout) ?? child.kill()
        defer { for suffix in ["in", "out", "err"] { unlink("\(base).\(suffix)") } }
        return Completed(
            status: status, stdout: String(decoding: try readFile("\(base).out"), as: UTF8.self),
            stderr: String(decoding: try readFile("\(base).err"), as: UTF8.self))
    }
}

/// A number for each `ChildProcess.run` of this process, so their scratch files never clash.
private func nextRunNumber() -> Int {
    runCounter.withLock { counter in
        counter += 1
        return counter
    }
}

private let runCounter = Mutex(0)
