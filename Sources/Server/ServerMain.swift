import LedgerConfig
import Posix

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger server -c FILE`: load the configuration, run the node until SIGTERM/SIGINT.
public enum ServerMain {
    /// Runs a node from the configuration at `configPath`. Returns the process exit code:
    /// 0 after a clean shutdown, 2 for a configuration problem (one line on stderr names the
    /// file, the line and what was expected), 1 for any other failure. `faultInjection` lets the
    /// chaos runner cut the node off from peers (test only).
    public static func run(configPath: String, faultInjection: Bool = false) -> Int32 {
        let config: NodeConfig
        do {
            config = try NodeConfig.load(path: configPath)
        } catch {
            printError(error.description)
            return 2
        }
        let seed = UInt64(bitPattern: WallClock.now().nanoseconds) ^ (UInt64(getpid()) << 32)
        let logger = NodeLogger(node: config.selfPeer.name)
        do {
            var options = try ServerOptions(config: config, source: configPath, randomSeed: seed)
            options.faultInjection = faultInjection
            let server = try LedgerServer(options: options, logger: logger)
            try server.run()
            return 0
        } catch {
            printError(error.description)
            return error.exitCode
        }
    }

    static func printError(_ line: String) {
        var bytes = Array("ledger: \(line)\n".utf8)
        bytes.withUnsafeMutableBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
