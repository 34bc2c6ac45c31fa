/// An open-addressing hash index from a key's fingerprint (``HashedKey/fingerprint``) to a
/// number (the key's entry in ``UniqueKeyTable``): one 16-byte slot a key, probed linearly,
/// so a lookup, an insertion or a removal touches one or two cache lines where a `Dictionary`
/// touches its bitmap, keys and values apart, and rehashes every key a removal shifts.
///
/// A slot's home is the fingerprint hashed by the process's seeded `Hasher` (as a `Dictionary`
/// places its keys): clients choose the keys, and a fixed function of them would let one craft
/// keys that all probe the same run. The home is kept in the slot, so a removal shifts the run
/// after it without hashing again. Nothing depends on where a key sits: answers are the same
/// in every process. At most one number per fingerprint (the caller keeps any other aside).
/// Grows by doubling, so its memory follows the keys held; at most half of the slots are used.
struct FingerprintIndex {
    private struct Slot {
        var fingerprint: UInt64
        /// The number's low 32 bits (see ``find(_:near:)``).
        var number: UInt32
        /// The slot the fingerprint hashes to; `UInt32.max` for an empty slot.
        var home: UInt32

        static let empty = Slot(fingerprint: 0, number: 0, home: .max)
        var isEmpty: Bool { home == .max }
    }

    private var slots = [Slot](repeating: .empty, count: 16)
    private var mask = 15
    private(set) var count = 0

    /// The number indexed under `fingerprint`, or nil. Numbers are kept as their low 32 bits:
    /// the full number is the one within 2³¹ below `newest`, the newest number ever indexed (the
    /// caller keeps fewer than 2³¹ numbers live, all at most `newest`).
    func find(_ fingerprint: UInt64, near newest: Int) -> Int? {
        guard let position = position(of: fingerprint) else { return nil }
        return Self.widen(slots[position].number, near: newest)
    }

    /// Indexes `number` under `fingerprint` and returns nil; when the fingerprint is indexed
    /// already, changes nothing and returns its number (see ``find(_:near:)``).
    mutating func insert(_ fingerprint: UInt64, _ number: Int, near newest: Int) -> Int? {
        if (count + 1) * 2 > slots.count { grow() }
        let home = home(fingerprint)
        var position = Int(home)
        while !slots[position].isEmpty {
            if slots[position].fingerprint == fingerprint { return Self.widen(slots[position].number, near: newest) }
            position = (position + 1) & mask
        }
        slots[position] = Slot(fingerprint: fingerprint, number: UInt32(truncatingIfNeeded: number), home: home)
        count += 1
        return nil
    }

    /// Removes what is indexed under `fingerprint` and returns it (see ``find(_:near:)``), or
    /// nil when nothing is.
    mutating func remove(_ fingerprint: UInt64, near newest: Int) -> Int? {
        guard var hole = position(of: fingerprint) else { return nil }
        let number = Self.widen(slots[hole].number, near: newest)
        // Close the hole: a later slot of the run moves into it unless its home lies after the
        // hole (cyclically), where a lookup would no longer reach it.
        var next = hole
        while true {
            next = (next + 1) & mask
            let slot = slots[next]
            if slot.isEmpty { break }
            let home = Int(slot.home)
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if stays { continue }
            slots[hole] = slot
            hole = next
        }
        slots[hole] = .empty
        count -= 1
        return number
    }

    private func position(of fingerprint: UInt64) -> Int? {
        var position = Int(home(fingerprint))
        while true {
            let slot = slots[position]
            if slot.isEmpty { return nil }
            if slot.fingerprint == fingerprint { return position }
            position = (position + 1) & mask
        }
    }

    private mutating func place(_ slot: Slot) {
        var position = Int(slot.home)
        while !slots[position].isEmpty { position = (position + 1) & mask }
        slots[position] = slot
    }

    private func home(_ fingerprint: UInt64) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(fingerprint)
        return UInt32(truncatingIfNeeded: hasher.finalize() & mask)
    }

    private mutating func grow() {
        let old = slots
        precondition(old.count < Int(UInt32.max / 2), "a fingerprint index over 2³¹ slots")
        slots = [Slot](repeating: .empty, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where !slot.isEmpty {
            place(Slot(fingerprint: slot.fingerprint, number: slot.number, home: home(slot.fingerprint)))
        }
    }

    private static func widen(_ low: UInt32, near newest: Int) -> Int {
        newest - Int(UInt32(truncatingIfNeeded: newest) &- low)
    }
}
