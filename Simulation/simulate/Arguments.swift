import Raft
import Simulator

/// What `simulate` was asked to do.
enum Command {
    case seed(UInt64)
    case seeds(ClosedRange<UInt64>)
    case scenario(String)
    case bench
}

/// The parsed command line.
struct Arguments {
    var command: Command
    var seconds: UInt64 = 10
    var verbose = false
    var jobs: Int?
    var brokenRules: BrokenRules = []
    var brokenStateMachine: BrokenStateMachine = []

    static let usage = """
        usage: simulate --seed N [--seconds S] [--verbose] [--break RULE]
               simulate --seeds A-B [--seconds S] [--jobs J] [--break RULE]
               simulate --scenario failover|lagging-follower [--verbose]
               simulate --bench [--seconds S]
        RULE: commit-prior-term | skip-vote-log-check (break the core on purpose)
              ignore-producer-stamps | swap-applies | stale-reads (misuse the state machine on purpose)
              answer-before-sync | shared-queue-locks (break the node's orchestration on purpose)
        """

    /// A command line `simulate` cannot run; `description` says why.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `arguments` (without the program name).
    init(_ arguments: [String]) throws(Invalid) {
        var command: Command?
        var rest = arguments[...]
        func value(_ flag: String) throws(Invalid) -> String {
            guard let value = rest.popFirst() else { throw Invalid(description: "\(flag) needs a value") }
            return value
        }
        func number(_ text: String, _ flag: String) throws(Invalid) -> UInt64 {
            guard let number = UInt64(text) else { throw Invalid(description: "\(flag): '\(text)' is not a number") }
            return number
        }
        func setCommand(_ new: Command) throws(Invalid) {
            if command != nil { throw Invalid(description: "give only one of --seed, --seeds, --scenario, --bench") }
            command = new
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--seed":
                try setCommand(.seed(try number(try value(flag), flag)))
            case "--seeds":
                let text = try value(flag)
                let parts = text.split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw Invalid(description: "--seeds: expected A-B, got '\(text)'") }
                let low = try number(String(parts[0]), flag)
                let high = try number(String(parts[1]), flag)
                guard low <= high else { throw Invalid(description: "--seeds: \(low) is above \(high)") }
                try setCommand(.seeds(low...high))
            case "--scenario":
                let name = try value(flag)
                guard name == "failover" || name == "lagging-follower" else {
                    throw Invalid(description: "unknown scenario '\(name)' (known: failover, lagging-follower)")
                }
                try setCommand(.scenario(name))
            case "--bench":
                try setCommand(.bench)
            case "--seconds":
                seconds = try number(try value(flag), flag)
                guard seconds >= 1 else { throw Invalid(description: "--seconds must be at least 1") }
            case "--jobs":
                let jobs = try number(try value(flag), flag)
                guard jobs >= 1 && jobs <= 256 else { throw Invalid(description: "--jobs must be in 1...256") }
                self.jobs = Int(jobs)
            case "--verbose":
                verbose = true
            case "--break":
                switch try value(flag) {
                case "commit-prior-term": brokenRules.insert(.commitPriorTermEntries)
                case "skip-vote-log-check": brokenRules.insert(.skipVoteLogCheck)
                case "ignore-producer-stamps": brokenStateMachine.insert(.ignoreProducerStamps)
                case "swap-applies": brokenStateMachine.insert(.swapApplies)
                case "stale-reads": brokenStateMachine.insert(.staleReads)
                case "answer-before-sync": brokenStateMachine.insert(.answerBeforeSync)
                case "shared-queue-locks": brokenStateMachine.insert(.sharedQueueLocks)
                case let other: throw Invalid(description: "--break: unknown rule '\(other)'")
                }
            default:
                throw Invalid(description: "unknown argument '\(flag)'")
            }
        }
        guard let command else { throw Invalid(description: "give one of --seed, --seeds, --scenario, --bench") }
        self.command = command
    }

    /// The options for one seed of a sweep or a single run.
    func options(seed: UInt64) -> SimulationOptions {
        var options = SimulationOptions.swarm(seed: seed, seconds: seconds)
        options.brokenRules = brokenRules
        options.brokenStateMachine = brokenStateMachine
        return options
    }

    /// The command that replays `seed` exactly.
    func replayCommand(seed: UInt64) -> String {
        var command = "swift run -c release simulate --seed \(seed)"
        if seconds != 10 { command += " --seconds \(seconds)" }
        if brokenRules.contains(.commitPriorTermEntries) { command += " --break commit-prior-term" }
        if brokenRules.contains(.skipVoteLogCheck) { command += " --break skip-vote-log-check" }
        if brokenStateMachine.contains(.ignoreProducerStamps) { command += " --break ignore-producer-stamps" }
        if brokenStateMachine.contains(.swapApplies) { command += " --break swap-applies" }
        if brokenStateMachine.contains(.staleReads) { command += " --break stale-reads" }
        if brokenStateMachine.contains(.answerBeforeSync) { command += " --break answer-before-sync" }
        if brokenStateMachine.contains(.sharedQueueLocks) { command += " --break shared-queue-locks" }
        return command
    }
}
