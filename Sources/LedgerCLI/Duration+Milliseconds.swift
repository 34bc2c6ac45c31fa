import LedgerClient

extension Duration {
    /// Whole milliseconds as text, rounded down: `223`.
    package var millisecondsText: String { String(wholeMilliseconds) }
}
