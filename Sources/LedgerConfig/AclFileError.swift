/// An ACL file (`plain_acl.yml`) that cannot be used. Its description is one line an operator
/// can act on: the file, the line when there is one, the setting, what was expected and what
/// was found, e.g.
/// `conf/plain_acl.yml:9: accounts[1].topicPerms: expected TOPIC=PERM with PERM one of DENY, PUB, SUB, PUB|SUB, got "topicA=ALL"`.
public struct AclFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file's path.
    public var source: String
    /// The 1-based line, when the problem has one.
    public var line: Int?
    /// The setting concerned (`accounts[2].secretKey`), when there is one.
    public var key: String?
    /// What the file should hold there.
    public var expected: String
    /// What it holds instead; nil when the text says it (a file that cannot be read).
    public var got: String?

    public init(source: String, line: Int?, key: String? = nil, expected: String, got: String?) {
        self.source = source
        self.line = line
        self.key = key
        self.expected = expected
        self.got = got
    }

    public var description: String {
        let location = line.map { "\(source):\($0)" } ?? source
        let setting = key.map { "\($0): " } ?? ""
        let found = got.map { ", got \(quoted($0))" } ?? ""
        return "\(location): \(setting)expected \(expected)\(found)"
    }
}
