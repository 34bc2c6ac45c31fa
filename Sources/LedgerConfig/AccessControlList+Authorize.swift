import Crypto

extension AccessControlList {
    /// Decides one request as RocketMQ 4.x's `PlainPermissionManager.validate` does:
    ///
    /// 1. a client at a `globalWhiteRemoteAddresses` address passes;
    /// 2. otherwise the request must name an account (`AccessKey`);
    /// 3. a client at that account's `whiteRemoteAddress` passes;
    /// 4. otherwise the signature must be the account's (compared in constant time);
    /// 5. an admin request needs `admin: true`;
    /// 6. each resource needs its permission: from `topicPerms`/`groupPerms`, else the default
    ///    for its kind; `DENY` grants nothing. An admin account without any `topicPerms` or
    ///    `groupPerms` has every permission.
    ///
    /// Returns the account that passed (nil when a white address let the request through), or
    /// throws why not.
    public func authorize(_ attempt: AccessAttempt) throws(AccessRefusal) -> Account? {
        if globalWhiteRemoteAddresses.contains(where: { $0.matches(attempt.remoteAddress) }) { return nil }
        guard let accessKey = attempt.accessKey, !accessKey.isEmpty else { throw .unsigned }
        guard let account = account(accessKey) else { throw .unknownAccessKey(accessKey) }
        if let white = account.whiteRemoteAddress, white.matches(attempt.remoteAddress) { return account }
        guard let signature = attempt.signature,
            AclSignature.verify(signature, content: attempt.content, secretKey: account.secretKey)
        else { throw .badSignature(accessKey: accessKey) }
        if let operation = attempt.need.adminOperation, !account.admin {
            throw .notAdmin(accessKey: accessKey, operation: operation)
        }
        if account.admin && account.topicPerms.isEmpty && account.groupPerms.isEmpty { return account }
        for item in attempt.need.resources {
            let owned: AclPermission
            switch item.resource {
            case .topic(let name): owned = account.topicPerms[name] ?? account.defaultTopicPerm
            case .group(let name): owned = account.groupPerms[name] ?? account.defaultGroupPerm
            }
            guard owned.isSuperset(of: item.permission) else {
                throw .missingPermission(accessKey: accessKey, permission: item.permission, resource: item.resource)
            }
        }
        return account
    }
}

extension AccessControlList {
    /// The account named `accessKey` when `secretKey` is its secret key, compared in constant
    /// time: for clients that present the key pair itself (HTTP Basic on the admin port) instead
    /// of signing. White addresses do not apply: a presented secret is checked or nothing is.
    public func authenticate(accessKey: String, secretKey: String) throws(AccessRefusal) -> Account {
        guard !accessKey.isEmpty else { throw .unsigned }
        guard let account = account(accessKey) else { throw .unknownAccessKey(accessKey) }
        guard constantTimeEquals(Array(account.secretKey.utf8), Array(secretKey.utf8)) else {
            throw .wrongSecretKey(accessKey: accessKey)
        }
        return account
    }
}
