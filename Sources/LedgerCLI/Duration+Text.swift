import LedgerClient
import LedgerConfig

/// Durations as the CLI prints and reads them.
extension Duration {
    /// Whole milliseconds as text, rounded down: `223`.
    package var millisecondsText: String { String(wholeMilliseconds) }

    /// The time a flag gives: a number and a unit, `ms`, `s`, `m` or `h` (`500ms`, `15s`, `2m`,
    /// `1h`), or a bare number of seconds (`90`); nil when malformed, negative or too large.
    /// With `fractions` the number may be a decimal (`0.5`, `1.5m`), rounded to the
    /// millisecond; without, it must be whole.
    package init?(flagValue text: String, fractions: Bool) {
        guard let milliseconds = DurationText.milliseconds(text, bareNumberUnit: 1000, fractions: fractions) else {
            return nil
        }
        self = .milliseconds(milliseconds)
    }
}
