/// One flag a command accepts.
public struct FlagSpec: Sendable, Hashable {
    /// Every spelling, the canonical one first: `["--config", "-c"]`.
    public var names: [String]
    /// The placeholder of its value in help (`FILE`), or nil for a switch that takes none.
    public var valueName: String?
    /// One line for `--help`.
    public var help: String

    public init(_ names: [String], value valueName: String? = nil, help: String) {
        precondition(!names.isEmpty, "a flag needs a name")
        self.names = names
        self.valueName = valueName
        self.help = help
    }

    /// The canonical name, e.g. `--config`.
    public var name: String { names[0] }
}

/// The flags found on a command line, by canonical name.
public struct ParsedFlags: Sendable, Hashable {
    /// Flags with values.
    public var values: [String: String] = [:]
    /// Switches that were given.
    public var switches: Set<String> = []
    /// Whether `--help` or `-h` appeared.
    public var wantsHelp = false

    public init() {}

    public func value(_ name: String) -> String? { values[name] }
    public func has(_ name: String) -> Bool { switches.contains(name) }
}

/// Hand-written flag parsing: `--flag VALUE`, `--flag=VALUE`, and switches.
///
/// Rules: every argument must be a flag the spec lists (positional arguments are refused);
/// a flag given twice is refused; a flag that takes a value needs one (the next argument, even
/// when it starts with `-`, so `--data -x` works; but not when there is no next argument).
/// `--help`/`-h` anywhere wins over every other problem.
public enum FlagParser {
    public static func parse(_ arguments: [String], flags: [FlagSpec], command: String) throws(UsageError)
        -> ParsedFlags
    {
        var parsed = ParsedFlags()
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
            parsed.wantsHelp = true
            return parsed
        }
        var position = 0
        while position < arguments.count {
            let argument = arguments[position]
            position += 1
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = flags.first(where: { $0.names.contains(name) }) else {
                let problem =
                    argument.hasPrefix("-") ? "unknown flag \(quoted(name))" : "unexpected argument \(quoted(argument))"
                throw UsageError(problem, command: command)
            }
            if parsed.values[spec.name] != nil || parsed.switches.contains(spec.name) {
                throw UsageError("\(spec.name) given twice", command: command)
            }
            guard let valueName = spec.valueName else {
                if inlineValue != nil { throw UsageError("\(spec.name) takes no value", command: command) }
                parsed.switches.insert(spec.name)
                continue
            }
            if let inlineValue {
                parsed.values[spec.name] = inlineValue
            } else if position < arguments.count {
                parsed.values[spec.name] = arguments[position]
                position += 1
            } else {
                throw UsageError("\(name) needs a value (\(name) \(valueName))", command: command)
            }
        }
        return parsed
    }

    /// The flags as `--help` lists them: one per line, names and value, then the help text in
    /// an aligned column.
    public static func helpLines(_ flags: [FlagSpec]) -> String {
        let heads = flags.map { spec in
            let names = spec.names.sorted { $0.count < $1.count }.joined(separator: ", ")
            return spec.valueName.map { "\(names) \($0)" } ?? names
        }
        let width = (heads.map(\.count).max() ?? 0) + 2
        return zip(heads, flags).map { head, spec in
            "  " + head + String(repeating: " ", count: width - head.count) + spec.help
        }.joined(separator: "\n")
    }
}

/// `text` in double quotes with control characters escaped, so a message stays on one line.
func quoted(_ text: String) -> String { String(reflecting: text) }
