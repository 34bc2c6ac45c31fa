import CShim

/// The index of ``UniqueKeyTable``: from a key's 64-bit fingerprint to the numbers of the
/// entries recorded under it, in one flat array of 8-byte slots (open addressing, linear
/// probing). A table of 20,000 keys is 256 KiB and an operation reads one cache line or two,
/// where a `Dictionary<UInt64, Int>` reads its bitmap, keys and values (three arrays, twice the
/// memory) and hashes with SipHash: every stored message costs a lookup, an insertion and a
/// removal on every replica, on tables too large for the cache.
///
/// A slot holds the top 31 bits of the fingerprint's mix (``mix(_:)``) above the low 32 bits
/// of the entry number; the mix's top bits are also the slot's home, so a removal closes its
/// gap without asking anyone for a fingerprint. Two fingerprints can share those 31 bits:
/// ``first(_:near:where:)`` offers every number under them, and the caller checks each against
/// its entry. Numbers are kept modulo 2³²: the caller keeps live only numbers within 2³¹ below
/// the newest (see ``widen(_:near:)``).
///
/// The mix takes a seed (``CommitLogConfiguration/uniqueKeyIndexSeed``: drawn per process by a
/// server, so keys chosen to collide cannot pile up in one run of slots; 0 in the simulator). The
/// seed only places slots: no answer depends on it, and nothing iterates the slots to decide
/// anything.
package struct FingerprintIndex {
    private static let empty = UInt64.max

    private var slots = [UInt64](repeating: FingerprintIndex.empty, count: 16)
    /// `64 - log2(slots.count)`: a mix shifted right by it is a slot's home.
    private var shift: UInt64 = 60
    package private(set) var count = 0
    private let seed: UInt64

    package init(seed: UInt64 = 0) {
        self.seed = seed
    }

    /// The fingerprint's mix: a bijection of it and the seed (murmur3's finalizer), whose top
    /// bits spread over the slots.
    package func mix(_ fingerprint: UInt64) -> UInt64 {
        var x = fingerprint ^ seed
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    /// The first number indexed under `mixed` (a ``mix(_:)``) for which `matches` holds, or nil.
    /// `newest` is the newest number the caller ever indexed.
    package func first(_ mixed: UInt64, near newest: Int, where matches: (Int) -> Bool) -> Int? {
        let tag = mixed >> 33
        var position = home(tag)
        while true {
            let slot = slots[position]
            if slot == Self.empty { return nil }
            if slot >> 32 == tag {
                let number = Self.widen(UInt32(truncatingIfNeeded: slot), near: newest)
                if matches(number) { return number }
            }
            position = (position + 1) & (slots.count - 1)
        }
    }

    /// Indexes `number` under `mixed`.
    package mutating func insert(_ mixed: UInt64, _ number: Int) {
        if (count + 1) * 10 > slots.count * 7 { grow() }
        place((mixed >> 33) << 32 | UInt64(UInt32(truncatingIfNeeded: number)))
        count += 1
    }

    /// Removes `number` indexed under `mixed`; false when it is not indexed.
    package mutating func remove(_ mixed: UInt64, _ number: Int) -> Bool {
        let wanted = (mixed >> 33) << 32 | UInt64(UInt32(truncatingIfNeeded: number))
        let mask = slots.count - 1
        var hole = home(mixed >> 33)
        while slots[hole] != wanted {
            if slots[hole] == Self.empty { return false }
            hole = (hole + 1) & mask
        }
        // Close the gap: a later slot of the run moves into it unless its home lies cyclically
        // after the gap and at or before the slot, where a lookup starting there still finds it.
        var next = hole
        while true {
            next = (next + 1) & mask
            let slot = slots[next]
            if slot == Self.empty { break }
            let home = home(slot >> 32)
            let reachable = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if reachable { continue }
            slots[hole] = slot
            hole = next
        }
        slots[hole] = Self.empty
        count -= 1
        return true
    }

    /// Starts bringing the slot where a search for `mixed` begins into the cache, for an
    /// operation on it soon (a hint; nothing changes).
    package func prefetch(_ mixed: UInt64) {
        slots.withUnsafeBufferPointer { cshim_prefetch($0.baseAddress! + home(mixed >> 33)) }
    }

    /// The full number whose low 32 bits are `low`: the one at most 2³² − 1 below `newest`.
    package static func widen(_ low: UInt32, near newest: Int) -> Int {
        newest - Int(UInt32(truncatingIfNeeded: newest) &- low)
    }

    /// The home slot of a tag (a mix's top 31 bits).
    private func home(_ tag: UInt64) -> Int { Int(truncatingIfNeeded: (tag << 33) >> shift) }

    private mutating func place(_ slot: UInt64) {
        let mask = slots.count - 1
        var position = home(slot >> 32)
        while slots[position] != Self.empty { position = (position + 1) & mask }
        slots[position] = slot
    }

    private mutating func grow() {
        precondition(slots.count < 1 << 30, "a fingerprint index of over 2³⁰ slots")
        let old = slots
        slots = [UInt64](repeating: Self.empty, count: old.count * 2)
        shift -= 1
        for slot in old where slot != Self.empty { place(slot) }
    }
}
