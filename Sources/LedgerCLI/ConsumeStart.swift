/// Where a consumer group with no committed offset on a queue starts reading it (`--from`):
/// RocketMQ's `CONSUME_FROM_FIRST_OFFSET`, `CONSUME_FROM_LAST_OFFSET` (the default) and
/// `CONSUME_FROM_TIMESTAMP`. A group with a committed offset continues from it whatever this says.
package enum ConsumeStart: Sendable, Hashable {
    /// The queue's min offset: every message it still holds.
    case first
    /// The queue's max offset: only messages sent from now on.
    case last
    /// The first message stored at or after this time (ms since the Unix epoch).
    case time(milliseconds: Int64)

    /// Parses `first`, `last`, an RFC 3339 time (`2026-12-07T17:30:00Z`,
    /// `2026-12-07T18:30:00.250+01:00`) or milliseconds since the Unix epoch (`1796664600000`);
    /// nil for anything else (an impossible date included).
    package init?(flagValue text: String) {
        switch text {
        case "first": self = .first
        case "last": self = .last
        default:
            if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
                guard let milliseconds = Int64(text) else { return nil }
                self = .time(milliseconds: milliseconds)
            } else if let milliseconds = ConsumeStart.rfc3339Milliseconds(text) {
                self = .time(milliseconds: milliseconds)
            } else {
                return nil
            }
        }
    }

    /// `text` as an RFC 3339 date-time (`T` or a space between date and time, fractional seconds
    /// kept to the millisecond, `Z` or a `±HH:MM` offset), in ms since the Unix epoch.
    static func rfc3339Milliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var position = 0
        func digits(_ count: Int) -> Int64? {
            guard position + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[position..<(position + count)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }
        func expect(_ allowed: String) -> Bool {
            guard position < bytes.count, allowed.utf8.contains(bytes[position]) else { return false }
            position += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            expect("Tt "), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
            let second = digits(2)
        else { return nil }
        var milliseconds: Int64 = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            var scale: Int64 = 100
            let start = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                milliseconds += Int64(bytes[position] - UInt8(ascii: "0")) * scale
                scale /= 10
                position += 1
            }
            guard position > start else { return nil }
        }
        var offsetMinutes: Int64 = 0
        if expect("Zz") {
        } else if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[position] == UInt8(ascii: "-") ? -1 : 1
            position += 1
            guard let hours = digits(2), expect(":"), let minutes = digits(2), hours <= 23, minutes <= 59 else {
                return nil
            }
            offsetMinutes = sign * (hours * 60 + minutes)
        } else {
            return nil
        }
        guard position == bytes.count, (1...12).contains(month), day >= 1,
            day <= daysInMonth(year: year, month: month), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1_000 + milliseconds
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
    /// `days_from_civil`).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
