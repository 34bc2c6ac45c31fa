/// The names of segmented files: a run of files, each named by the position of its first byte
/// (or first entry) in 20 zero-padded decimal digits, so names sort in position order. RocketMQ's
/// `UtilAll.offset2FileName`; both stores use it (the log store's data and index files, the
/// message store's commit-log, consume-queue and key-index files).
public enum SegmentedFileName {
    /// Digits in a name.
    public static let digits = 20

    /// The name of the file that starts at `start` (not negative).
    public static func name(start: some BinaryInteger) -> String {
        precondition(start >= 0, "a segment cannot start at \(start)")
        let text = String(start)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The start a name stands for, or nil if `name` is not exactly 20 decimal digits or its
    /// value does not fit `T`.
    public static func start<T: FixedWidthInteger>(of name: String, as _: T.Type = UInt64.self) -> T? {
        guard name.utf8.count == digits, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return T(name)
    }
}
