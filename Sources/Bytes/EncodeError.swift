/// A value too large for its length field in an encoding (a string over 65,535 UTF-8 bytes
/// behind a 2-byte length, for example). Encoding never truncates silently.
public struct EncodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field that did not fit.
    public var field: String
    /// Its length or count.
    public var count: Int
    /// The most its length field holds.
    public var limit: Int

    public init(field: String, count: Int, limit: Int) {
        self.field = field
        self.count = count
        self.limit = limit
    }

    public var description: String { "\(field) is \(count) long; the format holds at most \(limit)" }
}
