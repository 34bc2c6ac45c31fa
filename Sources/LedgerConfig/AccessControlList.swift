/// The client ACL of a node: RocketMQ 4.x's `plain_acl.yml` (ACL 1.0), read by
/// ``load(path:)`` or ``parse(_:source:)``, which check every value, so every instance is
/// usable. ``authorize(_:)`` decides one request.
///
/// ```yaml
/// globalWhiteRemoteAddresses:
///   - 10.10.103.*
/// accounts:
///   - accessKey: RocketMQ
///     secretKey: 12345678
///     whiteRemoteAddress:
///     admin: false
///     defaultTopicPerm: DENY
///     defaultGroupPerm: SUB
///     topicPerms:
///       - topicA=DENY
///       - topicB=PUB|SUB
///     groupPerms:
///       - groupA=DENY
/// ```
public struct AccessControlList: Sendable, Hashable {
    /// One `accounts` entry.
    public struct Account: Sendable, Hashable, CustomStringConvertible {
        /// Names the account in requests (`AccessKey`); 6 or more characters, unique in the file.
        public var accessKey: String
        /// The HMAC-SHA1 key of its signatures; 6 or more characters.
        public var secretKey: String
        /// Requests with this `AccessKey` from a matching address pass without a signature or a
        /// permission check (RocketMQ's rule); nil when not set.
        public var whiteRemoteAddress: AddressPattern?
        /// May send the admin requests (leadership transfer, raw log access, topic admin codes).
        public var admin: Bool = false
        /// For a topic not in ``topicPerms``; `DENY` when not set.
        public var defaultTopicPerm: AclPermission = .deny
        /// For a group not in ``groupPerms``; `DENY` when not set.
        public var defaultGroupPerm: AclPermission = .deny
        /// Per topic, in file order.
        public var topicPerms: [String: AclPermission] = [:]
        /// Per consumer group, in file order.
        public var groupPerms: [String: AclPermission] = [:]
        /// The line the account starts on.
        public var line: Int

        /// An account with RocketMQ's defaults for what is not given (not admin, `DENY`).
        public init(
            accessKey: String, secretKey: String, whiteRemoteAddress: AddressPattern? = nil, admin: Bool = false,
            defaultTopicPerm: AclPermission = .deny, defaultGroupPerm: AclPermission = .deny,
            topicPerms: [String: AclPermission] = [:], groupPerms: [String: AclPermission] = [:], line: Int = 0
        ) {
            self.accessKey = accessKey
            self.secretKey = secretKey
            self.whiteRemoteAddress = whiteRemoteAddress
            self.admin = admin
            self.defaultTopicPerm = defaultTopicPerm
            self.defaultGroupPerm = defaultGroupPerm
            self.topicPerms = topicPerms
            self.groupPerms = groupPerms
            self.line = line
        }

        /// Names the account, never its secret.
        public var description: String { "account \(String(reflecting: accessKey)) (line \(line))" }
    }

    /// Clients at these addresses pass every check, signed or not.
    public var globalWhiteRemoteAddresses: [AddressPattern] = []
    /// In file order.
    public var accounts: [Account] = []

    /// An ACL of `accounts`; clients at `globalWhiteRemoteAddresses` pass unchecked.
    public init(globalWhiteRemoteAddresses: [AddressPattern] = [], accounts: [Account] = []) {
        self.globalWhiteRemoteAddresses = globalWhiteRemoteAddresses
        self.accounts = accounts
    }

    /// The account named `accessKey`, if any.
    public func account(_ accessKey: String) -> Account? { accounts.first { $0.accessKey == accessKey } }

    /// Reads and checks the ACL file at `path`; errors name the file and the line.
    public static func load(path: String) throws(AclFileError) -> AccessControlList {
        let text: String
        do {
            text = try ConfigFile.readText(path: path)
        } catch {
            switch error.problem {
            case .notUTF8:
                throw AclFileError(source: path, line: nil, expected: "UTF-8 text", got: "bytes that are not")
            case .unreadable(let reason):
                throw AclFileError(source: path, line: nil, expected: "a readable ACL file (\(reason))", got: nil)
            default: throw AclFileError(source: path, line: nil, expected: "a readable ACL file", got: "\(error)")
            }
        }
        return try parse(text, source: path)
    }
}
