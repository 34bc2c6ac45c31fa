import Bytes
import Crypto

/// RocketMQ's ACL 1.0 request signature (`AclUtils.calSignature`, `AclClientRPCHook`): the
/// Base64 text of HMAC-SHA1, keyed with the account's secret key, over the request's content.
///
/// On the RocketMQ remoting port the content is ``remotingContent(fields:body:)``: the values
/// of every `extFields` entry except `Signature`, in the order of their names, concatenated as
/// UTF-8, followed by the body. Our own protocol signs its canonical payload encoding
/// (`Sources/Wire/PROTOCOL.md`, "Signed requests") the same way.
public enum AclSignature {
    /// The `extFields` names a remoting request's signature does not cover: the signature itself,
    /// and the broker-internal flag RocketMQ leaves out too.
    public static let unsignedFields: Set<String> = ["Signature", "_UNIQUE_KEY_QUERY"]

    /// `Base64(HMAC-SHA1(secretKey as UTF-8, content))`.
    public static func sign(_ content: [UInt8], secretKey: String) -> String {
        Base64.encode(HMAC<SHA1>.authenticationCode(for: content, key: Array(secretKey.utf8)))
    }

    /// Whether `signature` is ``sign(_:secretKey:)`` of `content`, compared in constant time.
    public static func verify(_ signature: String, content: [UInt8], secretKey: String) -> Bool {
        constantTimeEquals(Array(sign(content, secretKey: secretKey).utf8), Array(signature.utf8))
    }

    /// What a remoting request's signature covers: the values of `fields` (name, value) other
    /// than ``unsignedFields``, sorted by name as Java's `TreeMap<String, …>` sorts (UTF-16 code
    /// units), concatenated, then `body`.
    public static func remotingContent(fields: [(name: String, value: String)], body: ArraySlice<UInt8>) -> [UInt8] {
        let signed = fields.filter { !unsignedFields.contains($0.name) }
            .sorted { $0.name.utf16.lexicographicallyPrecedes($1.name.utf16) }
        var content: [UInt8] = []
        content.reserveCapacity(signed.reduce(body.count) { $0 + $1.value.utf8.count })
        for field in signed { content.append(contentsOf: field.value.utf8) }
        content.append(contentsOf: body)
        return content
    }
}

/// A client's account for signing its requests: the access key it names and the secret key it
/// signs with (never sent). Descriptions show the access key only.
public struct AccessCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var accessKey: String
    public var secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    /// The signature of `content` with ``secretKey``.
    public func sign(_ content: [UInt8]) -> String { AclSignature.sign(content, secretKey: secretKey) }

    public var description: String { "access key \(String(reflecting: accessKey))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["accessKey": accessKey]) }
}
