/// A subscription expression over tags, as RocketMQ's `SubscriptionData` parses it: `*` (or an
/// empty expression) matches every message; `TagA || TagC` matches messages whose tag is one of
/// those. Matching is by tags code first (what the consume queue holds) and then by the tag
/// string itself, which weeds out hash collisions.
public struct TagFilter: Hashable, Sendable, CustomStringConvertible {
    /// The tags, nil for "everything".
    public let tags: Set<String>?
    private let codes: Set<Int64>

    /// Every message.
    public static let all = TagFilter(expression: "*")

    /// Parses `*`, an empty string or `tag || tag || ...` (whitespace around tags is ignored,
    /// empty alternatives are dropped).
    public init(expression: String) {
        let trimmed = expression.trimmingSpaces
        if trimmed.isEmpty || trimmed == "*" {
            tags = nil
            codes = []
            return
        }
        var set = Set<String>()
        for part in trimmed.split(separator: "||", omittingEmptySubsequences: true) {
            let tag = String(part).trimmingSpaces
            if !tag.isEmpty { set.insert(tag) }
        }
        tags = set.isEmpty ? nil : set
        codes = Set(set.map { JavaHash.tagsCode($0) })
    }

    /// True if a consume-queue entry with this tags code may match (the broker-side check).
    public func matches(tagsCode: Int64) -> Bool { tags == nil || codes.contains(tagsCode) }

    /// True if a message with these tags matches (the client-side check).
    public func matches(tags messageTags: String?) -> Bool {
        guard let tags else { return true }
        guard let messageTags else { return false }
        return tags.contains(messageTags)
    }

    public var description: String {
        guard let tags else { return "*" }
        return tags.sorted(by: utf8Precedes).joined(separator: " || ")
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
