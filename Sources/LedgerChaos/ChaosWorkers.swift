import LedgerConfig
import Posix
import Raft

/// The threads that run a ``ChaosWorkload``.
enum ChaosWorkers {
    /// Starts one thread per producer and per consumer of `workload` against `peers`: producers
    /// aim together at `rate` operations per second; each worker gets a seed of its own drawn
    /// from `random`, and registers with `recorder` (which stops them; the caller waits until
    /// `recorder.runningWorkers` is 0).
    static func start(
        _ workload: any ChaosWorkload, peers: [Peer], recorder: ChaosRecorder, rate: Int, random: inout SplitMix64,
        credentials: AccessCredentials? = nil
    ) {
        let interval = Duration.microseconds(Int64(1_000_000 * workload.producers / rate))
        let roles =
            (0..<workload.producers).map { (producer: true, number: $0) }
            + (0..<workload.consumers).map { (producer: false, number: $0) }
        for (isProducer, number) in roles {
            let context = ChaosContext(
                peers: peers, recorder: recorder, operationInterval: interval, seed: random.next(),
                credentials: credentials)
            recorder.workerStarted()
            spawnThread(name: isProducer ? "chaos producer \(number)" : "chaos consumer \(number)") {
                if isProducer {
                    workload.produce(producer: number, context: context)
                } else {
                    workload.consume(consumer: number, context: context)
                }
                recorder.workerFinished()
            }
        }
    }
}
