/// One `key=value` setting and the line it came from.
struct Setting: Sendable, Hashable {
    var key: String
    var value: String
    var line: Int
}

/// Splits `key=value` text the way RocketMQ's broker configs (Java properties) are written:
/// one setting per line (ended by `\n`, `\r\n` or `\r`), blank lines and lines starting with `#` ignored, whitespace around
/// keys and values trimmed. A value is everything after the first `=`, so it may itself hold
/// `=` or `#`. Keys are not checked here.
enum KeyValueLines {
    static func parse(_ text: String, source: String) throws(ConfigError) -> [Setting] {
        var settings: [Setting] = []
        var lineNumber = 0
        // Lines end as in Java properties files: "\n", "\r\n" or a lone "\r" — never at the other
        // characters Unicode calls newlines (form feed, U+2028), which no editor numbers.
        let isLineEnd: (Character) -> Bool = { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: isLineEnd) {
            lineNumber += 1
            let line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError(source: source, line: lineNumber, problem: .malformedLine(line))
            }
            let key = trimmed(line[..<equals])
            if key.isEmpty {
                throw ConfigError(source: source, line: lineNumber, problem: .malformedLine(line))
            }
            settings.append(Setting(key: key, value: trimmed(line[line.index(after: equals)...]), line: lineNumber))
        }
        return settings
    }

    /// `text` without leading and trailing spaces, tabs and carriage returns.
    static func trimmed(_ text: some StringProtocol) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = text.lastIndex(where: { !isBlank($0) })!
        return String(text[first...last])
    }
}
