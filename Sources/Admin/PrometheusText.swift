/// Renders metric families in the Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): per family a `# HELP` and a
/// `# TYPE` line, then its samples; a histogram as cumulative `_bucket` samples with an `le`
/// label ending in `le="+Inf"`, then `_sum` and `_count`.
///
/// Help text escapes `\` and newline; label values escape `\`, `"` and newline. Names that break
/// the format's rules (or a counter not named `…_total`, or a histogram sample that is not a
/// histogram) are programmer errors and trap.
public enum PrometheusText {
    /// The text of `families`, in the order given, ending in a newline.
    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        var names = Set<String>()
        for family in families {
            precondition(isMetricName(family.name), "invalid metric name \(family.name)")
            precondition(names.insert(family.name).inserted, "metric family \(family.name) appears twice")
            precondition(
                family.kind != .counter || family.name.hasSuffix("_total"), "counter \(family.name) lacks _total")
            out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                for label in sample.labels {
                    precondition(isLabelName(label.name) && label.name != "le", "invalid label name \(label.name)")
                }
                switch (family.kind, sample.value) {
                case (.histogram, .histogram(let histogram)):
                    let cumulative = histogram.cumulativeCounts
                    for (bound, count) in zip(histogram.upperBounds.map(format) + ["+Inf"], cumulative) {
                        out += line(family.name + "_bucket", sample.labels + [("le", bound)], String(count))
                    }
                    out += line(family.name + "_sum", sample.labels, format(histogram.sum))
                    out += line(family.name + "_count", sample.labels, String(histogram.count))
                case (.histogram, _), (_, .histogram):
                    preconditionFailure("family \(family.name) mixes histograms and plain samples")
                case (_, .integer(let value)):
                    out += line(family.name, sample.labels, String(value))
                case (_, .real(let value)):
                    out += line(family.name, sample.labels, format(value))
                }
            }
        }
        return out
    }

    /// One sample line: `name{a="x",b="y"} value`.
    private static func line(_ name: String, _ labels: [(name: String, value: String)], _ value: String) -> String {
        guard !labels.isEmpty else { return "\(name) \(value)\n" }
        let rendered = labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
        return "\(name){\(rendered)} \(value)\n"
    }

    /// A float as the format writes it: `+Inf`, `-Inf`, `NaN`, or Swift's shortest exact text
    /// (`0.005`, `1e-05`, `3.0`), which Go's `ParseFloat` reads back exactly.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return "\(value)"
    }

    /// Help text with `\` as `\\` and newline as `\n`.
    static func escapeHelp(_ text: String) -> String { escape(text, quotes: false) }

    /// A label value with `\` as `\\`, `"` as `\"` and newline as `\n`.
    static func escapeLabelValue(_ text: String) -> String { escape(text, quotes: true) }

    /// Works on scalars, not characters: a CR LF pair is one `Character`, and its LF must
    /// still be escaped.
    private static func escape(_ text: String, quotes: Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"" where quotes: out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !isDigit(first) else { return false }
        return name.utf8.allSatisfy {
            isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":")
        }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved).
    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !isDigit(first), !name.hasPrefix("__") else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
