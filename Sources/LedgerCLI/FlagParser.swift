/// One flag a command accepts.
package struct FlagSpec: Sendable, Hashable {
    /// Every spelling, the canonical one first: `["--config", "-c"]`.
    var names: [String]
    /// The placeholder of its value in help (`FILE`), or nil for a switch that takes none.
    var valueName: String?
    /// One line for `--help`.
    var help: String

    /// A flag spelled `names` (the canonical one first), taking a value shown as `valueName`
    /// in help, or none (a switch) when nil. Precondition: at least one name.
    package init(_ names: [String], value valueName: String? = nil, help: String) {
        precondition(!names.isEmpty, "a flag needs a name")
        self.names = names
        self.valueName = valueName
        self.help = help
    }

    /// The canonical name, e.g. `--config`.
    var name: String { names[0] }
}

/// The flags found on a command line, by canonical name.
package struct ParsedFlags: Sendable, Hashable {
    /// Flags with values.
    var values: [String: String] = [:]
    /// Switches that were given.
    var switches: Set<String> = []
    /// Whether `--help` or `-h` appeared.
    package var wantsHelp = false

    /// The value given for the flag whose canonical name is `name`, or nil.
    package func value(_ name: String) -> String? { values[name] }
    /// Whether the switch whose canonical name is `name` was given.
    package func has(_ name: String) -> Bool { switches.contains(name) }

    /// The value of flag `name` as a whole number in `range`, or nil when the flag is absent.
    /// Throws the usage error of `command` for anything else.
    package func wholeNumber(_ name: String, in range: ClosedRange<Int>, command: String) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        return try FlagParser.wholeNumber(text, flag: name, in: range, command: command)
    }
}

/// Hand-written flag parsing: `--flag VALUE`, `--flag=VALUE`, and switches.
///
/// Rules: every argument must be a flag the spec lists (positional arguments are refused);
/// a flag given twice is refused; a flag that takes a value needs one (the next argument, even
/// when it starts with `-`, so `--data -x` works; but not when there is no next argument).
/// `--help`/`-h` anywhere wins over every other problem.
package enum FlagParser {
    /// The flags of `arguments` (what follows the command name) by the rules above; `command`
    /// (`ledger get`) names the command in errors.
    package static func parse(_ arguments: [String], flags: [FlagSpec], command: String) throws(UsageError)
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

    /// `text`, the value of flag `name`, as a whole number in `range`; else the usage error of
    /// `command`: `--max: expected a whole number from 1 to 1024, got "x"`.
    static func wholeNumber(_ text: String, flag name: String, in range: ClosedRange<Int>, command: String)
        throws(UsageError) -> Int
    {
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                "\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(quoted(text))",
                command: command)
        }
        return number
    }

    /// The flags as `--help` lists them: one per line, names and value, then the help text in
    /// an aligned column.
    static func helpLines(_ flags: [FlagSpec]) -> String {
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
package func quoted(_ text: String) -> String { String(reflecting: text) }
