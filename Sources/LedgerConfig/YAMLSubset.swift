/// One value of the YAML subset RocketMQ's `plain_acl.yml` is written in, with the line it
/// starts on.
struct YAMLNode: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// Nothing after `key:` (or `~`, `null`).
        case null
        /// A plain or quoted scalar, unquoted and unescaped.
        case scalar(String)
        /// A block sequence (`- item` lines) or a flow sequence of scalars (`[a, b]`).
        case sequence([YAMLNode])
        /// A block mapping, entries in file order.
        case mapping([Entry])
    }

    /// One `key: value` of a mapping.
    struct Entry: Sendable, Hashable {
        var key: String
        var line: Int
        var value: YAMLNode
    }

    var kind: Kind
    var line: Int
}

/// Parses the block YAML `plain_acl.yml` files use, and refuses, naming the line, what lies
/// outside it:
///
/// - block mappings (`key: value`, `key:` with a nested block) and block sequences (`- item`,
///   `- key: value` starting a mapping), nested by indentation with spaces (a tab is refused);
/// - plain scalars, `'single'` (`''` is a quote) and `"double"` quoted ones (escapes `\\ \" \n
///   \t \r \/`), and one-line flow sequences of scalars (`[a, 'b']`, `[]`);
/// - `#` comments (at a line's start or after a blank), blank lines, a leading `---`.
///
/// Refused: anchors, aliases, tags, block scalars (`|`, `>`), flow mappings, multi-line
/// scalars, `key: value` text inside a plain scalar. A plain scalar's text is kept as written:
/// `12345678` is the string "12345678", `true` is "true" (the schema decides what it means).
struct YAMLSubset {
    /// A line with content: its number, indentation (spaces) and text without the comment.
    private struct Line {
        var number: Int
        var indent: Int
        var text: String
    }

    private var lines: [Line] = []
    private var position = 0
    private let source: String

    /// Parses `text`; errors name `source`. An empty document is ``YAMLNode/Kind/null``.
    static func parse(_ text: String, source: String) throws(AclFileError) -> YAMLNode {
        var parser = YAMLSubset(source: source)
        try parser.split(text)
        guard let first = parser.lines.first else { return YAMLNode(kind: .null, line: 1) }
        if first.indent != 0 {
            throw parser.error(first, expected: "the first setting at the start of the line", got: first.text)
        }
        let root = try parser.block(indent: 0)
        if parser.position < parser.lines.count {
            let line = parser.lines[parser.position]
            throw parser.error(line, expected: "indentation of 0 spaces like the settings above", got: line.text)
        }
        return root
    }

    private init(source: String) {
        self.source = source
    }

    private func error(_ line: Line, expected: String, got: String?) -> AclFileError {
        AclFileError(source: source, line: line.number, expected: expected, got: got)
    }

    /// Splits `text` into lines with content, comments and trailing blanks removed.
    private mutating func split(_ text: String) throws(AclFileError) {
        let isLineEnd: (Character) -> Bool = { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: isLineEnd) {
            number += 1
            let leading = raw.prefix { $0 == " " || $0 == "\t" }
            if leading.contains("\t") {
                throw AclFileError(
                    source: source, line: number, expected: "spaces for indentation", got: "a tab")
            }
            let content = Self.withoutComment(raw.dropFirst(leading.count))
            if content.isEmpty { continue }
            if content == "---" && lines.isEmpty && leading.isEmpty { continue }
            lines.append(Line(number: number, indent: leading.count, text: content))
        }
    }

    /// `text` up to a `#` that starts a comment (outside quotes, at the start or after a
    /// blank), without trailing blanks.
    private static func withoutComment(_ text: Substring) -> String {
        var quote: Character?
        var previous: Character = " "
        var end = text.endIndex
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            var next = text.index(after: index)
            if let open = quote {
                if character == "\\" && open == "\"" && next < text.endIndex {
                    next = text.index(after: next)  // an escaped character, a quote included
                } else if character == open {
                    if open == "'" && next < text.endIndex && text[next] == "'" {
                        next = text.index(after: next)  // '' is a quote inside single quotes
                    } else {
                        quote = nil
                    }
                }
            } else if character == "#" && (previous == " " || previous == "\t") {
                end = index
                break
            } else if (character == "'" || character == "\"") && " \t[,".contains(previous) {
                quote = character
            }
            previous = character
            index = next
        }
        var kept = text[..<end]
        while let last = kept.last, last == " " || last == "\t" { kept = kept.dropLast() }
        return String(kept)
    }

    /// The block (mapping or sequence) whose lines start at `indent`.
    private mutating func block(indent: Int) throws(AclFileError) -> YAMLNode {
        let first = lines[position]
        if Self.isSequenceItem(first.text) { return try sequence(indent: indent) }
        return try mapping(indent: indent)
    }

    private static func isSequenceItem(_ text: String) -> Bool { text == "-" || text.hasPrefix("- ") }

    /// `- item` lines at `indent`.
    private mutating func sequence(indent: Int) throws(AclFileError) -> YAMLNode {
        let start = lines[position].number
        var items: [YAMLNode] = []
        while position < lines.count, lines[position].indent == indent, Self.isSequenceItem(lines[position].text) {
            let line = lines[position]
            let rest = line.text.dropFirst()
            let content = rest.drop { $0 == " " }
            if content.isEmpty {
                position += 1
                items.append(try nested(below: indent, line: line, sameIndentSequence: false))
                continue
            }
            let contentIndent = indent + (line.text.count - content.count)
            if Self.isSequenceItem(String(content)) || Self.mappingKey(String(content)) != nil {
                // `- key: value` (or `- - x`): the item is a block starting on this line.
                lines[position] = Line(number: line.number, indent: contentIndent, text: String(content))
                items.append(try block(indent: contentIndent))
            } else {
                position += 1
                items.append(try scalar(String(content), line: line))
            }
        }
        try checkNoDeeperLine(than: indent)
        return YAMLNode(kind: .sequence(items), line: start)
    }

    /// `key: value` lines at `indent`.
    private mutating func mapping(indent: Int) throws(AclFileError) -> YAMLNode {
        let start = lines[position].number
        var entries: [YAMLNode.Entry] = []
        while position < lines.count, lines[position].indent == indent {
            let line = lines[position]
            guard let (key, value) = Self.mappingKey(line.text) else {
                throw error(line, expected: "key: value", got: line.text)
            }
            position += 1
            let node: YAMLNode
            if value.isEmpty {
                node = try nested(below: indent, line: line, sameIndentSequence: true)
            } else {
                node = try scalar(value, line: line)
            }
            entries.append(YAMLNode.Entry(key: key, line: line.number, value: node))
        }
        try checkNoDeeperLine(than: indent)
        return YAMLNode(kind: .mapping(entries), line: start)
    }

    /// The value of a `key:` or `-` with nothing after it: the block on the following lines
    /// indented deeper (or, for a key, a sequence at the key's own indentation), else null.
    private mutating func nested(below indent: Int, line: Line, sameIndentSequence: Bool) throws(AclFileError)
        -> YAMLNode
    {
        guard position < lines.count else { return YAMLNode(kind: .null, line: line.number) }
        let next = lines[position]
        if next.indent > indent { return try block(indent: next.indent) }
        if sameIndentSequence && next.indent == indent && Self.isSequenceItem(next.text) {
            return try sequence(indent: indent)
        }
        return YAMLNode(kind: .null, line: line.number)
    }

    /// After a block at `indent`: the next line must not be indented deeper (it would belong
    /// to nothing).
    private func checkNoDeeperLine(than indent: Int) throws(AclFileError) {
        guard position < lines.count, lines[position].indent > indent else { return }
        let line = lines[position]
        throw error(
            line, expected: "indentation of \(indent) spaces or less, like the lines above",
            got: "\(line.indent) spaces before \(line.text)")
    }

    /// `key` and the text after `key:` when `text` is a mapping entry: a plain key followed by
    /// `:` at the end or before a blank.
    private static func mappingKey(_ text: String) -> (String, String)? {
        guard let first = text.first, first != "\"", first != "'", first != "[", first != "{" else { return nil }
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == ":" {
                let after = text.index(after: index)
                if after == text.endIndex || text[after] == " " {
                    let key = String(text[..<index]).trimmingBlanks
                    guard !key.isEmpty else { return nil }
                    return (key, String(text[after...]).trimmingBlanks)
                }
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// A scalar or flow sequence written after `key:` or `-` on `line`.
    private func scalar(_ text: String, line: Line) throws(AclFileError) -> YAMLNode {
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw error(line, expected: "a closing ] on the same line", got: text) }
            let inner = text.dropFirst().dropLast().trimmingBlanks
            if inner.isEmpty { return YAMLNode(kind: .sequence([]), line: line.number) }
            var items: [YAMLNode] = []
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
                let item = part.trimmingBlanks
                if item.isEmpty || item.hasPrefix("[") {
                    throw error(line, expected: "a list of values separated by commas", got: text)
                }
                items.append(YAMLNode(kind: .scalar(try scalarText(item, line: line)), line: line.number))
            }
            return YAMLNode(kind: .sequence(items), line: line.number)
        }
        if text == "~" || text == "null" || text == "Null" || text == "NULL" {
            return YAMLNode(kind: .null, line: line.number)
        }
        return YAMLNode(kind: .scalar(try scalarText(text, line: line)), line: line.number)
    }

    /// The value of one scalar: unquoted and unescaped, or plain.
    private func scalarText(_ text: String, line: Line) throws(AclFileError) -> String {
        if text.hasPrefix("'") { return try singleQuoted(text, line: line) }
        if text.hasPrefix("\"") { return try doubleQuoted(text, line: line) }
        if let first = text.first, "&*!|>%@`{".contains(first) {
            throw error(
                line,
                expected: "a plain or quoted value (anchors, aliases, tags, block scalars and {...} are not "
                    + "supported; quote a value that starts with \(first))",
                got: text)
        }
        if text.contains(": ") || text.hasSuffix(":") {
            throw error(
                line, expected: "a value without \": \" (quote it, or put key: value on a line of its own)", got: text)
        }
        return text
    }

    private func singleQuoted(_ text: String, line: Line) throws(AclFileError) -> String {
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            guard character == "'" else {
                value.append(character)
                continue
            }
            if index < text.endIndex && text[index] == "'" {
                value.append("'")
                index = text.index(after: index)
                continue
            }
            try checkNothingAfterQuote(text[index...], text: text, line: line)
            return value
        }
        throw error(line, expected: "a closing ' on the same line", got: text)
    }

    private func doubleQuoted(_ text: String, line: Line) throws(AclFileError) -> String {
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if character == "\"" {
                try checkNothingAfterQuote(text[index...], text: text, line: line)
                return value
            }
            guard character == "\\" else {
                value.append(character)
                continue
            }
            let escapes: [Character: Character] = ["\\": "\\", "\"": "\"", "n": "\n", "t": "\t", "r": "\r", "/": "/"]
            guard index < text.endIndex, let escaped = escapes[text[index]] else {
                throw error(
                    line, expected: "an escape \\\\, \\\", \\n, \\t, \\r or \\/ in a double-quoted value", got: text)
            }
            value.append(escaped)
            index = text.index(after: index)
        }
        throw error(line, expected: "a closing \" on the same line", got: text)
    }

    private func checkNothingAfterQuote(_ rest: Substring, text: String, line: Line) throws(AclFileError) {
        guard rest.trimmingBlanks.isEmpty else {
            throw error(line, expected: "nothing after the closing quote", got: text)
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingBlanks: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = lastIndex(where: { !isBlank($0) })!
        return String(self[first...last])
    }
}
