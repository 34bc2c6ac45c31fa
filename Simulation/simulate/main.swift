import Dispatch
import Foundation
import Raft
import Simulator
import Synchronization

// `simulate`: runs the deterministic simulator. The last line of every mode is its verdict;
// the exit status is 0 (all good), 1 (an invariant broke) or 2 (bad command line).

let arguments: Arguments
do {
    arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("simulate: \(error)\n\(Arguments.usage)\n".utf8))
    exit(2)
}

/// Prints a failed run's report: the violation, the events before it, the replay command.
func report(_ failure: SimulationFailure, seed: UInt64) {
    print("seed \(seed): invariant \(failure.invariant) broke at \(failure.time): \(failure.details)")
    print("last \(failure.recentEvents.count) events:")
    for line in failure.recentEvents { print("  \(line)") }
    print("replay: \(arguments.replayCommand(seed: seed))")
}

switch arguments.command {
case .seed(let seed):
    let options = arguments.options(seed: seed)
    print("seed \(seed)")
    print(options.summary)
    var run = SwarmRun(options: options)
    if arguments.verbose {
        run.eventSink = { print($0) }
        run.noteSink = { print("** \($0)") }
    }
    let result = run.run()
    let outcomes = result.outcomes
    print(
        "events: \(result.events), simulated: \(result.simulatedTime), leaders: \(result.leaderChanges), "
            + "writes: \(outcomes.acknowledged) acknowledged, \(outcomes.failed) failed, "
            + "\(outcomes.indeterminate) indeterminate, \(outcomes.pending) pending; "
            + "reads: \(result.statistics.readsConfirmed)/\(result.statistics.reads) confirmed")
    let s = result.statistics
    print(
        "messages: \(s.sendsAcknowledged) sends acknowledged (\(s.sendsDeduplicated) by an idempotent retry), "
            + "\(s.sendRetries) retries, \(s.sendsAbandoned) abandoned; \(result.messagesStored) stored; "
            + "consumers: \(s.pulls) pulls, \(s.messagesConsumed) messages, \(s.offsetCommits) offset commits "
            + "(\(s.offsetCommitsRefused) refused), \(s.offsetQueries) offset queries, \(s.consumerRestarts) restarts; "
            + "CommitLog persists: \(s.persists); retention: \(s.logCompactions) passes (\(s.forcedCompactions) forced), "
            + "\(s.snapshotsInstalled) snapshots installed; disk fills: \(s.diskFills) (\(s.disksFullToTheLastByte) to the last byte), \(s.diskFullRefusals) refusals; "
            + "held: \(result.heldCounts.delayed) delayed, \(result.heldCounts.delivered) delivered, "
            + "\(s.sendBacks) send-backs (\(s.sendBacksRefused) refused, \(result.heldCounts.deadLettered) dead-lettered); "
            + "transactions: \(result.heldCounts.halves) half messages, \(result.heldCounts.committed) committed, "
            + "\(result.heldCounts.rolledBack) rolled back, \(result.heldCounts.discarded) discarded, "
            + "\(s.transactionChecksAnswered) checks answered; queue locks: \(s.queueLocks) answers")
    print(
        "faults: \(s.crashes) crashes, \(s.restarts) restarts, \(s.pauses) pauses, \(s.partitions) partitions, "
            + "\(s.transfers) transfers; messages: \(s.messagesSent) sent, \(s.messagesDropped) dropped, "
            + "\(s.messagesDuplicated) duplicated; disk writes: \(s.diskWrites), "
            + "\(s.readiesDuringWrites) readies taken during one")
    if let failure = result.failure { report(failure, seed: seed) }
    print("trace-hash: \(result.traceHash)")
    if let failure = result.failure {
        print("seed \(seed): \(failure)")
        exit(1)
    }
    print("seed \(seed): ok")

case .seeds(let range):
    let jobs = arguments.jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
    struct Sweep {
        var next: UInt64
        var failures: [UInt64: SimulationFailure] = [:]
        var finished = false
    }
    let sweep = Mutex(Sweep(next: range.lowerBound))
    DispatchQueue.concurrentPerform(iterations: jobs) { _ in
        while true {
            let seed: UInt64? = sweep.withLock { state in
                guard !state.finished else { return nil }
                let seed = state.next
                if seed == range.upperBound { state.finished = true } else { state.next += 1 }
                return seed
            }
            guard let seed else { return }
            let result = SwarmRun(options: arguments.options(seed: seed)).run()
            if let failure = result.failure { sweep.withLock { $0.failures[seed] = failure } }
        }
    }
    let failures = sweep.withLock { $0.failures }
    for (seed, failure) in failures.sorted(by: { $0.key < $1.key }) {
        print("seed \(seed): \(failure)")
        print("  replay: \(arguments.replayCommand(seed: seed))")
    }
    let total = range.upperBound - range.lowerBound + 1
    print(
        "seeds \(range.lowerBound)-\(range.upperBound): \(total - UInt64(failures.count)) ok, \(failures.count) failed")
    exit(failures.isEmpty ? 0 : 1)

case .scenario(let name):
    do throws(ScenarioFailure) {
        if name == "failover" {
            try FailoverScenario(narrate: { print($0) }, verbose: arguments.verbose).run()
        } else {
            try LagScenario(narrate: { print($0) }, verbose: arguments.verbose).run()
        }
        print("scenario \(name): ok")
    } catch {
        print("scenario \(name): FAILED \(error)")
        exit(1)
    }

case .bench:
    // The only place that reads a wall clock: to measure how fast the simulator runs.
    let clock = ContinuousClock()
    var events: UInt64 = 0
    var simulatedMs: UInt64 = 0
    var failed = 0
    let seeds: ClosedRange<UInt64> = 1...20
    let elapsed = clock.measure {
        for seed in seeds {
            let result = SwarmRun(options: arguments.options(seed: seed)).run()
            events += result.events
            simulatedMs += result.simulatedTime.milliseconds
            if result.failure != nil { failed += 1 }
        }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("bench: \(seeds.count) seeds (\(arguments.seconds)s safety phase each), one thread")
    print("wall-clock: \(String(format: "%.2f", seconds)) s")
    print(
        "events: \(events), \(String(format: "%.0f", Double(events) / seconds)) simulated events per wall-clock second")
    print(
        "simulated: \(String(format: "%.1f", Double(simulatedMs) / 1000)) s, "
            + "\(String(format: "%.1f", Double(simulatedMs) / 1000 / seconds)) simulated seconds per wall-clock second")
    if failed > 0 {
        print("bench: \(failed) seeds failed; run them with --seed")
        exit(1)
    }
}
