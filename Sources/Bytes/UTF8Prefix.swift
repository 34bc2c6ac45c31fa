extension BidirectionalCollection where Element == UInt8 {
    /// The first `maxBytes` bytes (all of them when there are no more), moved back to the start
    /// of the scalar the cut would split, so that UTF-8 text stays valid when cut. Only the end
    /// is examined: bytes that are not UTF-8 there are cut where `maxBytes` falls.
    public func utf8Prefix(maxBytes: Int) -> SubSequence {
        let cut = prefix(maxBytes)
        guard cut.endIndex != endIndex else { return cut }
        // Back over the continuation bytes (10xxxxxx) before the cut to the scalar's first byte.
        var start = cut.endIndex
        var continuations = 0
        while start > cut.startIndex {
            start = index(before: start)
            guard self[start] & 0xC0 == 0x80 else { break }
            continuations += 1
            if continuations == 4 { return cut }
        }
        let length =
            switch self[start] {
            case 0xC0..<0xE0: 2
            case 0xE0..<0xF0: 3
            case 0xF0..<0xF8: 4
            default: 1
            }
        return distance(from: start, to: cut.endIndex) < length ? self[startIndex..<start] : cut
    }
}
