/// Java's `String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units in 32-bit
/// wrapping arithmetic. RocketMQ stores it as the tags code of a consume-queue entry and uses it
/// to pick a queue for a sharding key, so it must match Java bit for bit.
public enum JavaHash {
    /// `s.hashCode()` as Java computes it.
    public static func hashCode(_ s: String) -> Int32 {
        var h: Int32 = 0
        for unit in s.utf16 { h = 31 &* h &+ Int32(unit) }
        return h
    }

    /// The consume-queue tags code of a message (`MessageExtBrokerInner.tagsString2tagsCode`):
    /// the tags' hash code sign-extended to 64 bits, or 0 without tags.
    public static func tagsCode(_ tags: String?) -> Int64 {
        guard let tags, !tags.isEmpty else { return 0 }
        return Int64(hashCode(tags))
    }
}
