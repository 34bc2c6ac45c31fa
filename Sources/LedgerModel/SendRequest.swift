/// Store one message, or several atomically. One message becomes a ``Command/send(_:_:)``, more
/// a ``Command/sendBatch(_:_:)``; `producer` (id and sequence) makes the request idempotent: a
/// retry with the same stamp is stored once and answered with the original result. A send may
/// also be one-way: the node stores it without answering.
public struct SendRequest: Hashable, Sendable {
    /// At least one.
    public var messages: [ProducerMessage]
    public var producer: ProducerStamp?

    public init(messages: [ProducerMessage], producer: ProducerStamp? = nil) {
        self.messages = messages
        self.producer = producer
    }
}

/// Where the messages of a ``SendRequest`` were stored, in request order, once committed and
/// applied on the leader. `duplicate` is set when the request was a retry of one already stored:
/// the results are the original ones.
public struct SendResponse: Hashable, Sendable {
    public var results: [SendResult]
    public var duplicate: Bool

    public init(results: [SendResult], duplicate: Bool) {
        self.results = results
        self.duplicate = duplicate
    }
}
