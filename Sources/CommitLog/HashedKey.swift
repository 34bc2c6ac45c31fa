/// A producer unique key (`UNIQ_KEY`) with a hash of it worked out once: 64-bit FNV-1a of its
/// UTF-8. The tables keyed by unique keys (``UniqueKeyTable``, the leader's keys in flight in
/// ``ProposalTail``) hash on every insertion and lookup, and a removal from a full table rehashes
/// the neighbours it shifts; with this key each of those mixes one word instead of the key's
/// 32 or more bytes. Equal texts have equal hashes, so equality is the text's.
package struct HashedKey: Hashable, Sendable {
    package let text: String
    package let fingerprint: UInt64

    package init(_ text: String) {
        self.init(text, fingerprint: FNV1a.hash(text.utf8))
    }

    /// A key with the fingerprint given: for tests of what tables do when two keys share one.
    package init(_ text: String, fingerprint: UInt64) {
        self.text = text
        self.fingerprint = fingerprint
    }

    package static func == (lhs: HashedKey, rhs: HashedKey) -> Bool {
        lhs.fingerprint == rhs.fingerprint && lhs.text == rhs.text
    }

    package func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
}
