/// RocketMQ's rule for topic names, checked where a name enters: a send, a CLI flag.
public enum TopicName {
    /// Why `topic` breaks RocketMQ's topic rule (`[%|a-zA-Z0-9_-]{1,127}`), or nil.
    public static func problem(_ topic: String) -> String? {
        if topic.isEmpty { return "empty" }
        if topic.utf8.count > MessageRecord.maxTopicLength {
            return "\(topic.utf8.count) bytes, more than \(MessageRecord.maxTopicLength)"
        }
        for byte in topic.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "%"), UInt8(ascii: "|"), UInt8(ascii: "_"),
                UInt8(ascii: "-"):
                continue
            default:
                return "only letters, digits and %|_- are allowed"
            }
        }
        return nil
    }
}
