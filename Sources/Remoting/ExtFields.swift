/// A command's `extFields`: name–value string pairs in a fixed order (the order decoded, or the
/// order the pairs were added), with no name twice.
///
/// Java keeps these in a `HashMap<String, String>`; keeping the wire order instead makes
/// encoding and everything derived from a command deterministic. A decoded instance remembers
/// where each value started in the stream so a caller that finds a value unusable can say
/// where; those offsets take no part in equality.
public struct ExtFields: Sendable, Hashable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One field.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// The fields, in order.
    public private(set) var fields: [Field] = []
    /// For each field, the stream offset of its value when decoded; nil when built in code.
    private var valueOffsets: [Int?] = []
    /// Where the fields were decoded from (the header's first byte), for a missing field's error.
    public private(set) var headerOffset: Int = 0

    /// No fields.
    public init() {}

    /// The pairs in literal order; a name given twice is a programmer error.
    public init(dictionaryLiteral elements: (String, String)...) {
        reserveCapacity(elements.count)
        for (name, value) in elements {
            precondition(self[name] == nil, "ext field \(name) given twice")
            self[name] = value
        }
    }

    /// Fields decoded from a header at `headerOffset`.
    init(headerOffset: Int) {
        self.headerOffset = headerOffset
    }

    /// The number of fields.
    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The value of field `name`. Setting a name already present replaces its value in place;
    /// a new name goes at the end; nil removes the field.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name == name }?.value }
        set {
            let index = fields.firstIndex { $0.name == name }
            switch (index, newValue) {
            case (let index?, let value?):
                fields[index].value = value
                valueOffsets[index] = nil
            case (let index?, nil):
                fields.remove(at: index)
                valueOffsets.remove(at: index)
            case (nil, let value?):
                fields.append(Field(name: name, value: value))
                valueOffsets.append(nil)
            case (nil, nil):
                break
            }
        }
    }

    /// The values of the fields a caller reads, placed where `slot` says (a field's position
    /// among `slots` names, or nil for one it does not read), in one pass over the fields
    /// instead of a search per name; nil where a field is absent.
    func values(slots: Int, slot: (String) -> Int?) -> [String?] {
        var values = [String?](repeating: nil, count: slots)
        for field in fields {
            if let index = slot(field.name) { values[index] = field.value }
        }
        return values
    }

    /// The stream offset of field `name`'s value if it was decoded, else of the header.
    public func offset(of name: String) -> Int {
        guard let index = fields.firstIndex(where: { $0.name == name }) else { return headerOffset }
        return valueOffsets[index] ?? headerOffset
    }

    /// Makes room for `count` fields.
    mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
        valueOffsets.reserveCapacity(count)
    }

    /// Adds a field built in code at the end; the caller knows the name is new.
    mutating func appendNew(name: String, value: String) {
        fields.append(Field(name: name, value: value))
        valueOffsets.append(nil)
    }

    /// Adds a decoded field; the caller has checked the name is new.
    mutating func appendDecoded(name: String, value: String, at offset: Int) {
        fields.append(Field(name: name, value: value))
        valueOffsets.append(offset)
    }

    public static func == (lhs: ExtFields, rhs: ExtFields) -> Bool { lhs.fields == rhs.fields }
    public func hash(into hasher: inout Hasher) { hasher.combine(fields) }

    public var description: String {
        "{" + fields.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
