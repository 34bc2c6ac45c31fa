// Numbers as the bench reports print them.

/// `value` rounded to `digits` decimals.
func rounded(_ value: Double, _ digits: Int) -> Double {
    guard value.isFinite else { return value }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return (value * scale).rounded() / scale
}

/// `value` with exactly `digits` decimals and no exponent: `812.30`, `0.004`. Non-finite
/// values print as `-`.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite, abs(value) < 1e15 else { return "-" }
    var scale: Int64 = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int64((abs(value) * Double(scale)).rounded())
    let sign = value < 0 && scaled != 0 ? "-" : ""
    let whole = String(scaled / scale)
    guard digits > 0 else { return sign + whole }
    let fraction = String(scaled % scale)
    return sign + whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}

/// A fraction as a percentage, with one decimal below 10 %: `64%`, `3.5%`.
func percent(_ fraction: Double) -> String {
    let value = fraction * 100
    return (value < 10 ? fixed(value, 1) : fixed(value, 0)) + "%"
}
