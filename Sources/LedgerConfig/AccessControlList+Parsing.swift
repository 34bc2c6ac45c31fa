extension AccessControlList {
    /// The top-level keys of a `plain_acl.yml`.
    static let topKeys = ["globalWhiteRemoteAddresses", "accounts"]
    /// The keys of one account.
    static let accountKeys = [
        "accessKey", "secretKey", "whiteRemoteAddress", "admin", "defaultTopicPerm", "defaultGroupPerm", "topicPerms",
        "groupPerms",
    ]
    /// RocketMQ refuses shorter access and secret keys.
    public static let minimumKeyLength = 6

    /// Parses and checks `plain_acl.yml` text; `source` names it in errors.
    ///
    /// Refuses, with one line naming `source`, the line and the setting: YAML outside the
    /// subset (``YAMLSubset``), unknown or repeated keys, an account without `accessKey` or
    /// `secretKey` or with one shorter than 6 characters, an `accessKey` used twice, a
    /// permission other than `DENY`, `PUB`, `SUB`, `PUB|SUB`, a `topicPerms`/`groupPerms` entry
    /// that is not `NAME=PERM` or names a resource twice, an address that is not a pattern
    /// ``AddressPattern`` reads, and values of the wrong shape (a list where one value belongs).
    public static func parse(_ text: String, source: String) throws(AclFileError) -> AccessControlList {
        let root = try YAMLSubset.parse(text, source: source)
        var acl = AccessControlList()
        let reader = AclSchemaReader(source: source)
        let entries: [YAMLNode.Entry]
        switch root.kind {
        case .null: return acl
        case .mapping(let found): entries = found
        case .scalar, .sequence:
            throw reader.error(
                root.line, nil, expected: "globalWhiteRemoteAddresses: and accounts: settings", got: reader.shown(root))
        }
        for entry in try reader.known(entries, keys: topKeys, path: nil) {
            switch entry.key {
            case "globalWhiteRemoteAddresses":
                for item in try reader.list(entry.value, key: entry.key, of: "addresses") {
                    acl.globalWhiteRemoteAddresses.append(try reader.address(item, key: entry.key))
                }
            default:
                var seen: [String: Int] = [:]
                for (position, item) in try reader.list(entry.value, key: entry.key, of: "accounts").enumerated() {
                    let account = try reader.account(item, path: "accounts[\(position + 1)]")
                    if let first = seen[account.accessKey] {
                        throw reader.error(
                            account.line, "accounts[\(position + 1)].accessKey",
                            expected: "an accessKey no other account uses (the account on line \(first) has it)",
                            got: account.accessKey)
                    }
                    seen[account.accessKey] = account.line
                    acl.accounts.append(account)
                }
            }
        }
        return acl
    }
}

/// Turns the YAML tree of a `plain_acl.yml` into checked values, each error naming the line
/// and the setting's path (`accounts[2].topicPerms`).
private struct AclSchemaReader {
    let source: String

    func error(_ line: Int, _ key: String?, expected: String, got: String?) -> AclFileError {
        AclFileError(source: source, line: line, key: key, expected: expected, got: got)
    }

    /// `entries` after checking each key is one of `keys` and appears once.
    func known(_ entries: [YAMLNode.Entry], keys: [String], path: String?) throws(AclFileError) -> [YAMLNode.Entry] {
        var seen: [String: Int] = [:]
        for entry in entries {
            let full = path.map { "\($0).\(entry.key)" } ?? entry.key
            guard keys.contains(entry.key) else {
                throw error(
                    entry.line, path, expected: "one of the keys \(keys.joined(separator: ", "))", got: entry.key)
            }
            if let first = seen[entry.key] {
                throw error(
                    entry.line, full, expected: "one \(entry.key) (it is set on line \(first) already)",
                    got: "a second one")
            }
            seen[entry.key] = entry.line
        }
        return entries
    }

    /// The items of a list value; an absent value is an empty list.
    func list(_ node: YAMLNode, key: String, of what: String) throws(AclFileError) -> [YAMLNode] {
        switch node.kind {
        case .null: return []
        case .sequence(let items): return items
        case .scalar(let value):
            throw error(node.line, key, expected: "a list of \(what), one per line starting with \"- \"", got: value)
        case .mapping:
            throw error(
                node.line, key, expected: "a list of \(what), one per line starting with \"- \"",
                got: "key: value lines")
        }
    }

    /// What a node holds, for an error: its text, or its shape.
    func shown(_ node: YAMLNode) -> String {
        switch node.kind {
        case .null: "nothing"
        case .scalar(let value): value
        case .sequence: "a list"
        case .mapping: "key: value lines"
        }
    }

    /// A single value; nil when absent.
    func scalar(_ node: YAMLNode, key: String) throws(AclFileError) -> String? {
        switch node.kind {
        case .null: return nil
        case .scalar(let value): return value
        case .sequence: throw error(node.line, key, expected: "a single value", got: "a list")
        case .mapping: throw error(node.line, key, expected: "a single value", got: "key: value lines")
        }
    }

    func address(_ node: YAMLNode, key: String) throws(AclFileError) -> AddressPattern {
        let text = try scalar(node, key: key) ?? ""
        guard let pattern = AddressPattern(text) else {
            throw error(node.line, key, expected: AddressPattern.expected, got: text)
        }
        return pattern
    }

    func permission(_ node: YAMLNode, key: String) throws(AclFileError) -> AclPermission {
        let text = try scalar(node, key: key) ?? ""
        guard let permission = AclPermission(spelling: text) else {
            throw error(node.line, key, expected: AclPermission.expectedSpelling, got: text)
        }
        return permission
    }

    /// One `- accessKey: ...` item.
    func account(_ node: YAMLNode, path: String) throws(AclFileError) -> AccessControlList.Account {
        guard case .mapping(let entries) = node.kind else {
            throw error(
                node.line, path,
                expected: "an account: accessKey:, secretKey: and the other account keys beneath \"- \"",
                got: shown(node))
        }
        var account = AccessControlList.Account(accessKey: "", secretKey: "", line: node.line)
        var sawAccessKey = false
        var sawSecretKey = false
        for entry in try known(entries, keys: AccessControlList.accountKeys, path: path) {
            let key = "\(path).\(entry.key)"
            switch entry.key {
            case "accessKey":
                account.accessKey = try credential(entry.value, key: key)
                sawAccessKey = true
            case "secretKey":
                account.secretKey = try credential(entry.value, key: key)
                sawSecretKey = true
            case "whiteRemoteAddress":
                if let text = try scalar(entry.value, key: key), !text.isEmpty {
                    guard let pattern = AddressPattern(text) else {
                        throw error(entry.value.line, key, expected: AddressPattern.expected, got: text)
                    }
                    account.whiteRemoteAddress = pattern
                }
            case "admin":
                let text = try scalar(entry.value, key: key) ?? ""
                switch text.lowercased() {
                case "true": account.admin = true
                case "false": account.admin = false
                default: throw error(entry.value.line, key, expected: "true or false", got: text)
                }
            case "defaultTopicPerm":
                account.defaultTopicPerm = try permission(entry.value, key: key)
            case "defaultGroupPerm":
                account.defaultGroupPerm = try permission(entry.value, key: key)
            case "topicPerms":
                account.topicPerms = try resourcePerms(entry.value, key: key, noun: "TOPIC")
            default:
                account.groupPerms = try resourcePerms(entry.value, key: key, noun: "GROUP")
            }
        }
        for (saw, name) in [(sawAccessKey, "accessKey"), (sawSecretKey, "secretKey")] where !saw {
            throw error(
                node.line, path,
                expected: "\(name): of \(AccessControlList.minimumKeyLength) or more characters in every account",
                got: "an account without one")
        }
        return account
    }

    /// An `accessKey` or `secretKey`: 6 or more characters, no control characters.
    private func credential(_ node: YAMLNode, key: String) throws(AclFileError) -> String {
        let text = try scalar(node, key: key) ?? ""
        let minimum = AccessControlList.minimumKeyLength
        guard text.count >= minimum, !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            // A secret key is never echoed: only its length.
            let shown = key.hasSuffix("secretKey") ? "\(text.count) characters" : text
            throw error(node.line, key, expected: "\(minimum) or more characters (no control characters)", got: shown)
        }
        return text
    }

    /// `topicPerms` / `groupPerms`: `NAME=PERM` items, each name once.
    private func resourcePerms(_ node: YAMLNode, key: String, noun: String) throws(AclFileError)
        -> [String: AclPermission]
    {
        var perms: [String: AclPermission] = [:]
        var lines: [String: Int] = [:]
        for item in try list(node, key: key, of: "\(noun)=PERM entries") {
            let text = try scalar(item, key: key) ?? ""
            let expected = "\(noun)=PERM with PERM one of DENY, PUB, SUB, PUB|SUB"
            guard let equals = text.firstIndex(of: "=") else {
                throw error(item.line, key, expected: expected, got: text)
            }
            let name = text[..<equals].trimmingBlanks
            let spelled = text[text.index(after: equals)...].trimmingBlanks
            guard !name.isEmpty, let permission = AclPermission(spelling: spelled) else {
                throw error(item.line, key, expected: expected, got: text)
            }
            if let first = lines[name] {
                throw error(
                    item.line, key, expected: "each \(noun.lowercased()) once (\(name) is on line \(first) already)",
                    got: text)
            }
            lines[name] = item.line
            perms[name] = permission
        }
        return perms
    }
}
