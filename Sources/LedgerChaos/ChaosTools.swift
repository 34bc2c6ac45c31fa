import LedgerCLI
import LedgerLocalGroup
import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// The system programs a chaos run drives (`ip`, `tc`, `nft` for `--netns`; `losetup`,
/// `mkfs.ext4`, `mount`, `umount` for the nodes' own disks): where each is, installed with
/// `apt-get install -y` when missing, and how one is run.
enum ChaosTools {
    /// The absolute path of `tool`, from `/usr/sbin`, `/sbin`, `/usr/bin` or `/bin`; installs
    /// `package` with apt-get when it is in none of them. `purpose` names what needs it
    /// (`--netns`) in the error when it cannot be had.
    static func locate(_ tool: String, package: String, for purpose: String, scratchDirectory: String)
        throws(HarnessError) -> String
    {
        func find(_ name: String) -> String? {
            ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map { "\($0)/\(name)" }.first(where: fileExists)
        }
        if let path = find(tool) { return path }
        guard let apt = find("apt-get") else {
            throw HarnessError("\(purpose) needs \(tool) (package \(package)), which is not installed, and no apt-get")
        }
        Console.out("chaos: installing \(package) for \(tool) (apt-get install -y \(package))")
        let done: ChildProcess.Completed
        do {
            done = try ChildProcess.run(
                apt, ["install", "-y", package], scratchDirectory: scratchDirectory, timeout: .seconds(300))
        } catch {
            throw HarnessError("cannot run apt-get install \(package): \(error)")
        }
        guard done.status == .exited(0), let path = find(tool) else {
            throw HarnessError("apt-get install -y \(package) failed (\(done.status)); install it and retry")
        }
        return path
    }

    /// Runs `path` with `arguments` (and `stdin`) and returns its output; throws, naming the
    /// command line `text` and the first line it printed on stderr, when it does not exit 0.
    static func run(_ path: String, _ arguments: [String], stdin: String = "", text: String, scratchDirectory: String)
        throws(HarnessError) -> String
    {
        do {
            let done = try ChildProcess.run(
                path, arguments, stdin: stdin, scratchDirectory: scratchDirectory, timeout: .seconds(20))
            guard done.status == .exited(0) else {
                let said = done.stderr.split(separator: "\n").first.map { ": \($0)" } ?? ""
                throw HarnessError("`\(text)` failed with \(done.status)\(said)")
            }
            return done.stdout
        } catch let error as HarnessError {
            throw error
        } catch {
            throw HarnessError("cannot run `\(text)`: \(error)")
        }
    }

    /// Whether the run numbered `run` (its runner's process id) is over: no such process, or
    /// only its zombie (`/proc/<run>/stat` in state Z: killed, not yet reaped). A stale run's
    /// leftovers are removed only then.
    static func runIsOver(_ run: Int32) -> Bool {
        if Glibc.kill(run, 0) != 0 { return errno == ESRCH }
        let stat: [UInt8]
        do {
            stat = try readFile("/proc/\(run)/stat")
        } catch {
            // Gone between the two looks: over. Unreadable for another reason: keep its leftovers.
            return error.errno == ENOENT || error.errno == ESRCH
        }
        // `pid (comm) S ...`: the state follows the last `)`, as comm may hold any byte.
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")), close + 2 < stat.count else { return false }
        return stat[close + 2] == UInt8(ascii: "Z")
    }
}
