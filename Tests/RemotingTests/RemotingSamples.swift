import Remoting

/// Byte samples from `reference/rocketmq-clients.md` (measured on the wire against the real C++
/// clients) and frames built around them.
enum RemotingSamples {
    /// §5.1: the JSON header of a SEND_MESSAGE (10) from rocketmq-client-cpp 1.0.1, exactly as the
    /// reference transcribes it. The reference elides the middle of `Signature` and the `UNIQ_KEY`
    /// value with "…"; those characters are kept, so this is the reference's text byte for byte
    /// (with its line break removed), not a reconstruction.
    static let cppSendMessageHeader = #"""
        {"code":10,"extFields":{"AccessKey":"","OnsChannel":"ALIYUN","Signature":"6Dxho72s…=","batch":"0","bornTimestamp":"1796311224388","defaultTopic":"TBW102","defaultTopicQueueNums":4,"flag":0,"producerGroup":"PG_probe","properties":"KEYS\u0001k0\u0002TAGS\u0001tagA\u0002UNIQ_KEY\u0001…\u0002WAIT\u0001true\u0002userProp\u0001v0\u0002","queueId":0,"reconsumeTimes":"0","sysFlag":0,"topic":"TopicTest","unitMode":"0"},"flag":0,"language":"CPP","opaque":1,"remark":"","version":63}
        """#

    /// §5.3: the smallest response header both clients accepted.
    static let minimalResponseHeader = #"{"code":0,"flag":1,"opaque":1}"#

    /// §3 (`rocketmq-formats.md`): a route body as the NameServer writes it in standard JSON.
    static let standardRoute =
        #"{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","#
        + #""enableActingMaster":false}],"filterServerTable":{},"#
        + #""queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#

    /// A frame around `header` of serialize type `type`, then `body`; the lengths are computed
    /// here, as the clients compute them.
    static func frame(header: [UInt8], type: UInt8 = 0, body: [UInt8] = []) -> [UInt8] {
        let length = UInt32(4 + header.count + body.count)
        let typeAndLength = UInt32(type) << 24 | UInt32(header.count)
        return bigEndian(length) + bigEndian(typeAndLength) + header + body
    }

    /// A JSON-header frame.
    static func frame(json: String, body: [UInt8] = []) -> [UInt8] {
        frame(header: Array(json.utf8), body: body)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// The byte offset of the first occurrence of `needle` in `text`'s UTF-8.
    static func offset(of needle: String, in text: String) -> Int {
        let haystack = Array(text.utf8)
        let pattern = Array(needle.utf8)
        for start in 0...(haystack.count - pattern.count)
        where Array(haystack[start..<start + pattern.count]) == pattern {
            return start
        }
        preconditionFailure("\(needle) not in the sample")
    }
}
