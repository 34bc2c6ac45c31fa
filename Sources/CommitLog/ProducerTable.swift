import LedgerModel
import Raft

/// The idempotent-producer table: for each producer, its last applied sequence and that
/// request's results, so a retry returns the original results instead of storing again.
///
/// Rules for a request stamped (producer, sequence), evaluated in log order:
/// - unknown producer, or sequence above the last applied one: a new request (gaps are fine:
///   a client may give up on a sequence);
/// - sequence equal to the last applied one: a retry; the recorded results are returned and
///   nothing is stored;
/// - sequence below it: stale. Only the last result is kept, so the request is rejected with
///   ``CommandRejection/staleSequence(_:lastApplied:)`` and nothing is stored. Clients keep one
///   request in flight per producer (or retry only the latest), as Kafka's idempotent producer
///   with one in-flight request does.
///
/// Rejected requests are not recorded: a retry is evaluated afresh and, with the same state,
/// rejected the same way.
///
/// The table holds at most `capacity` producers. Recording a new producer in a full table
/// evicts the one whose last request is oldest in the log (lowest index, then lowest id); a
/// retry from an evicted producer would be stored again, so `capacity` must exceed the number
/// of producers active at once.
struct ProducerTable: Hashable {
    struct Record: Hashable {
        var sequence: UInt64
        var results: [SendResult]
        /// The log index of the entry that applied `sequence`.
        var index: LogIndex
    }

    enum Check: Equatable {
        case new
        case duplicate([SendResult])
        case stale(lastApplied: UInt64)
    }

    private(set) var records: [ProducerID: Record] = [:]
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "the producer table needs room for one producer")
        self.capacity = capacity
    }

    /// How a request with `stamp` must be treated.
    func check(_ stamp: ProducerStamp) -> Check {
        guard let record = records[stamp.producer] else { return .new }
        if stamp.sequence > record.sequence { return .new }
        if stamp.sequence == record.sequence { return .duplicate(record.results) }
        return .stale(lastApplied: record.sequence)
    }

    /// Records the results of a new request applied at `index`.
    mutating func record(_ stamp: ProducerStamp, results: [SendResult], index: LogIndex) {
        if records[stamp.producer] == nil, records.count >= capacity { evictOldest() }
        records[stamp.producer] = Record(sequence: stamp.sequence, results: results, index: index)
    }

    /// Restores a record read from a checkpoint.
    mutating func restore(_ producer: ProducerID, _ record: Record) { records[producer] = record }

    /// The records ordered by producer id: the order checkpoints are written in.
    var sorted: [(ProducerID, Record)] { records.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    private mutating func evictOldest() {
        // A full scan, deterministic because the minimum of (index, id) is unique.
        var oldest: (id: ProducerID, index: LogIndex)?
        for (id, record) in records {
            if let current = oldest, (current.index, current.id.rawValue) <= (record.index, id.rawValue) { continue }
            oldest = (id, record.index)
        }
        if let oldest { records[oldest.id] = nil }
    }
}
