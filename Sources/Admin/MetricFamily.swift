/// One metric family of a scrape: its name, help text, type and samples, as the Prometheus
/// text exposition format 0.0.4 groups them. Built when a scrape asks, from the node's plain
/// counters; rendered by ``PrometheusText``.
///
/// Names follow Prometheus conventions (checked by ``PrometheusText`` as programmer errors):
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, a counter's name ends in `_total`, units are base units
/// (`_seconds`, `_bytes`) in the name.
public struct MetricFamily: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, histogram
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [MetricSample]

    public init(_ name: String, _ kind: Kind, help: String, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }

    /// A family of one unlabelled sample.
    public init(_ name: String, _ kind: Kind, help: String, value: MetricValue) {
        self.init(name, kind, help: help, samples: [MetricSample(value)])
    }
}

/// One sample (or, for a histogram, one labelled histogram) of a family.
public struct MetricSample: Sendable, Hashable {
    /// Label names and values, in the order rendered.
    public var labels: [(name: String, value: String)]
    public var value: MetricValue

    public init(_ value: MetricValue, labels: [(name: String, value: String)] = []) {
        self.labels = labels
        self.value = value
    }

    public static func == (a: MetricSample, b: MetricSample) -> Bool {
        a.value == b.value && a.labels.elementsEqual(b.labels) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        for label in labels {
            hasher.combine(label.name)
            hasher.combine(label.value)
        }
    }
}

/// A sample's value: an exact integer (counters and most gauges), a real number, or a histogram.
public enum MetricValue: Sendable, Hashable {
    case integer(Int64)
    case real(Double)
    case histogram(MetricHistogram)

    /// An unsigned count, saturated at `Int64.max`.
    public static func count(_ value: UInt64) -> MetricValue { .integer(Int64(clamping: value)) }
    public static func count(_ value: Int) -> MetricValue { .integer(Int64(value)) }
}
