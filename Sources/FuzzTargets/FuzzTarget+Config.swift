import LedgerConfig

extension FuzzTarget {
    /// A config file: parsed, or refused with an error whose line lies inside the text.
    static func runConfig(_ bytes: [UInt8]) -> FuzzViolation? {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            _ = try NodeConfig.parse(text, source: "fuzz.conf")
        } catch {
            let lines = lineCount(text)
            if let line = error.line, line < 1 || line > lines {
                return FuzzViolation("error names line \(line) of a \(lines)-line file: \(error)")
            }
        }
        return nil
    }

    /// Lines as a Java properties file counts them: each "\n", "\r\n" or lone "\r" ends one.
    private static func lineCount(_ text: String) -> Int {
        var count = 1
        var afterCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                if !afterCR { count += 1 }
            } else if scalar == "\r" {
                count += 1
            }
            afterCR = scalar == "\r"
        }
        return count
    }
}
