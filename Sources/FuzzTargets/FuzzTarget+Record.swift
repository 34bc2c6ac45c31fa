import Bytes
import LedgerModel

extension FuzzTarget {
    /// Bytes read back from a store or a peer's entry: as a message record (at offset 0 and at
    /// the offset the first byte names, as a pull reads records inside a larger buffer) and as
    /// an entry payload. What decodes must encode and decode back to the same value.
    static func runRecord(_ bytes: [UInt8]) -> FuzzViolation? {
        let offsets = [0, Int(bytes.first ?? 0)].filter { $0 < max(bytes.count, 1) }
        for offset in offsets {
            guard let message = try? StoredMessage(decoding: bytes, at: offset) else { continue }
            let record = message.encodedRecord()
            do {
                let again = try StoredMessage(decoding: record)
                if again != message { return FuzzViolation("record at \(offset) changes in a round trip") }
            } catch {
                return FuzzViolation("record at \(offset) re-encoded does not decode: \(error)")
            }
        }
        guard let payload = try? EntryPayload(decoding: bytes), case .command(let command) = payload else { return nil }
        let encoded: [UInt8]
        do { encoded = try command.encoded() } catch { return nil }  // Beyond a field's width: refused.
        do {
            let again = try Command(decoding: encoded)
            if again != command { return FuzzViolation("command changes in a round trip: \(command) → \(again)") }
        } catch {
            return FuzzViolation("command re-encoded does not decode: \(error)")
        }
        return nil
    }
}
