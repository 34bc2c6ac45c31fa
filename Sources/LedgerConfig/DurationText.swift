/// Durations as config values and command-line flags write them: one parser for both.
package enum DurationText {
    /// The milliseconds `text` gives: a number and a unit, `ms`, `s`, `m` or `h` (`500ms`,
    /// `15s`, `2m`, `1h`), or a bare number of `bareNumberUnit` milliseconds (a flag's seconds,
    /// `fileReservedTime`'s hours); nil when malformed, negative or too large. With `fractions`
    /// the number may be a decimal (`0.5`, `1.5m`), rounded to the millisecond; without, it
    /// must be whole.
    package static func milliseconds(_ text: String, bareNumberUnit: Int64, fractions: Bool) -> Int64? {
        let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        var number = Substring(text)
        var scale = bareNumberUnit
        for unit in units where text.hasSuffix(unit.suffix) {
            number = text.dropLast(unit.suffix.count)
            scale = unit.milliseconds
            break
        }
        if fractions {
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            let milliseconds = (value * Double(scale)).rounded()
            guard milliseconds < 0x1p63 else { return nil }
            return Int64(milliseconds)
        }
        guard let value = Int64(number), value >= 0 else { return nil }
        let (milliseconds, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : milliseconds
    }
}
