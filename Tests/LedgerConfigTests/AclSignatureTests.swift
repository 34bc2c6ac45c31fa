import LedgerConfig
import Testing

/// RocketMQ's ACL 1.0 signature, against a vector Python computed independently:
///
///     fields = {"AccessKey": "RocketMQ", "OnsChannel": "ALIYUN", "topic": "TopicTest",
///               "queueId": "0", "Signature": "x", "producerGroup": "PG"}
///     content = "".join(v for k, v in sorted(fields.items()) if k != "Signature").encode() + b"hello"
///     base64.b64encode(hmac.new(b"12345678", content, hashlib.sha1).digest())
///     # content b'RocketMQALIYUNPG0TopicTesthello' -> '/f4pu8epi5bXk7bO//P3kjF5lyQ='
@Suite struct AclSignatureTests {
    static let fields: [(name: String, value: String)] = [
        ("topic", "TopicTest"), ("Signature", "x"), ("queueId", "0"), ("AccessKey", "RocketMQ"),
        ("producerGroup", "PG"), ("OnsChannel", "ALIYUN"),
    ]

    @Test func remotingContentSortsByNameAndSkipsTheSignature() {
        let content = AclSignature.remotingContent(fields: Self.fields, body: Array("hello".utf8)[...])
        #expect(String(decoding: content, as: UTF8.self) == "RocketMQALIYUNPG0TopicTesthello")
    }

    @Test func knownAnswer() {
        let content = AclSignature.remotingContent(fields: Self.fields, body: Array("hello".utf8)[...])
        #expect(AclSignature.sign(content, secretKey: "12345678") == "/f4pu8epi5bXk7bO//P3kjF5lyQ=")
        #expect(AclSignature.verify("/f4pu8epi5bXk7bO//P3kjF5lyQ=", content: content, secretKey: "12345678"))
        #expect(!AclSignature.verify("/f4pu8epi5bXk7bO//P3kjF5lyQ=", content: content, secretKey: "12345679"))
        #expect(!AclSignature.verify("/f4pu8epi5bXk7bO//P3kjF5lyQ", content: content, secretKey: "12345678"))
        #expect(!AclSignature.verify("", content: content, secretKey: "12345678"))
    }

    /// Java's `TreeMap<String, …>` orders names by UTF-16 code units: upper case before lower.
    @Test func namesSortAsJavaStrings() {
        let content = AclSignature.remotingContent(
            fields: [("b", "2"), ("B", "1"), ("a", "3"), ("_UNIQUE_KEY_QUERY", "true")], body: [])
        #expect(String(decoding: content, as: UTF8.self) == "132")
    }

    @Test func credentialsNeverShowTheSecret() {
        let credentials = AccessCredentials(accessKey: "RocketMQ", secretKey: "12345678")
        #expect("\(credentials)" == #"access key "RocketMQ""#)
        #expect(!String(reflecting: credentials).contains("12345678"))
        #expect(!"\(Mirror(reflecting: credentials).children.map(\.value))".contains("12345678"))
    }
}
