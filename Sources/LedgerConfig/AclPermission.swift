/// What an account may do with a topic or a consumer group (RocketMQ's `Permission`): publish,
/// subscribe, both, or nothing (`DENY`).
public struct AclPermission: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Send to a topic.
    public static let pub = AclPermission(rawValue: 1)
    /// Pull from a topic; use a consumer group (offsets, heartbeats, membership).
    public static let sub = AclPermission(rawValue: 2)
    /// Nothing: RocketMQ's `DENY`, and its default when a file does not say.
    public static let deny: AclPermission = []

    /// The spellings a file may use, as RocketMQ's `parsePermFromString` reads them.
    static let spellings: [(String, AclPermission)] = [
        ("DENY", .deny), ("PUB", .pub), ("SUB", .sub), ("PUB|SUB", [.pub, .sub]), ("SUB|PUB", [.pub, .sub]),
    ]
    /// What an error says a file may write.
    static let expectedSpelling = "DENY, PUB, SUB or PUB|SUB"

    /// The permission a file writes as `text`, or nil for any other text.
    init?(spelling text: String) {
        guard let match = AclPermission.spellings.first(where: { $0.0 == text }) else { return nil }
        self = match.1
    }

    /// `DENY`, `PUB`, `SUB` or `PUB|SUB`.
    public var description: String {
        switch (contains(.pub), contains(.sub)) {
        case (false, false): "DENY"
        case (true, false): "PUB"
        case (false, true): "SUB"
        case (true, true): "PUB|SUB"
        }
    }
}
