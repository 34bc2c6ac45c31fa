import Bytes

/// One thing that happened to a node and was logged: an election, a leader change, a follower
/// catching up or caught up, a refusal, a peer link going down. `/api/events` lists them.
public struct NodeEvent: Sendable, Hashable {
    /// Wall-clock time of the event in milliseconds since the Unix epoch.
    public var timeMs: Int64
    /// `info`, `warning` or `error`: the level of its log line.
    public var level: String
    /// The node's term when it happened, if known.
    public var term: UInt64?
    /// The log line's text.
    public var message: String

    public init(timeMs: Int64, level: String, term: UInt64?, message: String) {
        self.timeMs = timeMs
        self.level = level
        self.term = term
        self.message = message
    }
}

/// The most recent ``NodeEvent``s, oldest first, at most ``capacity`` of them: recording one
/// more drops the oldest, so memory stays bounded however long the node runs.
public struct EventRing: Sendable {
    /// How many events the ring keeps.
    public let capacity: Int
    /// The longest message kept, in UTF-8 bytes; a longer one is cut and ends in `…`.
    public static let maxMessageBytes = 512
    private var slots: [NodeEvent] = []
    /// Where the oldest event is once the ring is full.
    private var start = 0
    /// Every event ever recorded, dropped ones included.
    public private(set) var recorded: UInt64 = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "an event ring needs room for one event")
        self.capacity = capacity
        slots.reserveCapacity(capacity)
    }

    /// Keeps `event` (its message cut to ``maxMessageBytes``), dropping the oldest when full.
    public mutating func record(_ event: NodeEvent) {
        var event = event
        if event.message.utf8.count > Self.maxMessageBytes {
            // "…" takes three bytes.
            event.message =
                String(decoding: event.message.utf8.utf8Prefix(maxBytes: Self.maxMessageBytes - 3), as: UTF8.self) + "…"
        }
        recorded += 1
        if slots.count < capacity {
            slots.append(event)
        } else {
            slots[start] = event
            start = (start + 1) % capacity
        }
    }

    /// The events kept, oldest first.
    public var events: [NodeEvent] { Array(slots[start...] + slots[..<start]) }
}

extension EventRing {
    /// The `/api/events` document:
    /// `{"capacity","recorded","events":[{"timeMs","level","term","message"}]}`, oldest first.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 128 * slots.count + 64)
        writer.beginObject()
        writer.member("capacity", capacity)
        writer.member("recorded", recorded)
        writer.key("events")
        writer.beginArray()
        for event in events {
            writer.beginObject()
            writer.member("timeMs", event.timeMs)
            writer.member("level", event.level)
            writer.member("term", event.term)
            writer.member("message", event.message)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
