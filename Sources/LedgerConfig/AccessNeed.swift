/// A topic or a consumer group, as an ACL names it.
public enum AclResource: Sendable, Hashable, CustomStringConvertible {
    case topic(String)
    case group(String)

    /// RocketMQ's prefix of a group's retry topic: the ACL treats `%RETRY%G` as group `G`.
    public static let retryTopicPrefix = "%RETRY%"

    /// The resource a request on `topic` touches: group `G` for the retry topic `%RETRY%G`, the
    /// topic otherwise.
    public static func forTopic(_ topic: String) -> AclResource {
        topic.hasPrefix(retryTopicPrefix) ? .group(String(topic.dropFirst(retryTopicPrefix.count))) : .topic(topic)
    }

    /// `topic "T"`, `group "G"`.
    public var description: String {
        switch self {
        case .topic(let name): "topic \(String(reflecting: name))"
        case .group(let name): "group \(String(reflecting: name))"
        }
    }
}

/// What one request needs of the account that signed it: whether it is an admin request (and
/// what it is, for the refusal), and a permission on each resource it touches.
public struct AccessNeed: Sendable, Hashable {
    /// Set for admin requests: what the request is (`transferLeader`, `UPDATE_AND_CREATE_TOPIC (17)`).
    public var adminOperation: String?
    /// Each resource with the permission the request needs on it, in request order.
    public var resources: [ResourceNeed] = []

    /// One resource's permission.
    public struct ResourceNeed: Sendable, Hashable {
        public var resource: AclResource
        public var permission: AclPermission

        public init(_ resource: AclResource, _ permission: AclPermission) {
            self.resource = resource
            self.permission = permission
        }
    }

    /// A request that needs a valid account and nothing more.
    public static let account = AccessNeed()

    /// An admin request, described as `operation` in a refusal.
    public static func admin(_ operation: String) -> AccessNeed { AccessNeed(adminOperation: operation) }

    public init(adminOperation: String? = nil, resources: [ResourceNeed] = []) {
        self.adminOperation = adminOperation
        self.resources = resources
    }

    /// Adds `permission` on `resource` unless already needed.
    public mutating func need(_ permission: AclPermission, on resource: AclResource) {
        let item = ResourceNeed(resource, permission)
        if !resources.contains(item) { resources.append(item) }
    }
}

/// Who sent a request and what it carried, for ``AccessControlList/authorize(_:)``.
public struct AccessAttempt: Sendable {
    /// The client's IPv4 address without port (or another address text, which matches only `*`).
    public var remoteAddress: String
    /// The request's `AccessKey`; nil when it carried none.
    public var accessKey: String?
    /// The request's `Signature`; nil when it carried none.
    public var signature: String?
    /// The bytes the signature covers.
    public var content: [UInt8]
    public var need: AccessNeed

    public init(remoteAddress: String, accessKey: String?, signature: String?, content: [UInt8], need: AccessNeed) {
        self.remoteAddress = remoteAddress
        self.accessKey = accessKey
        self.signature = signature
        self.content = content
        self.need = need
    }
}

/// Why a request was refused; the description is the line the client sees (remark or error).
public enum AccessRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `AccessKey` (or an empty one).
    case unsigned
    /// An `AccessKey` no account has.
    case unknownAccessKey(String)
    /// The signature is missing or does not match the account's secret key.
    case badSignature(accessKey: String)
    /// A secret key presented as such (HTTP Basic) that is not the account's.
    case wrongSecretKey(accessKey: String)
    /// An admin request from an account that is not admin.
    case notAdmin(accessKey: String, operation: String)
    /// The account lacks `permission` on `resource`.
    case missingPermission(accessKey: String, permission: AclPermission, resource: AclResource)

    public var description: String {
        switch self {
        case .unsigned:
            "no permission: ACL is enabled and the request carries no AccessKey and Signature "
                + "(give the client an account's access and secret keys)"
        case .unknownAccessKey(let key):
            "no permission: no account has AccessKey \(String(reflecting: key))"
        case .badSignature(let key):
            "no permission: the signature does not match AccessKey \(String(reflecting: key)) (wrong secret key?)"
        case .wrongSecretKey(let key):
            "no permission: the secret key does not match AccessKey \(String(reflecting: key))"
        case .notAdmin(let key, let operation):
            "no permission: \(operation) needs an admin account; \(String(reflecting: key)) is not admin"
        case .missingPermission(let key, let permission, let resource):
            "no permission: AccessKey \(String(reflecting: key)) lacks \(permission) on \(resource)"
        }
    }
}
