/// A figure `ledger soak` samples on every node and judges with a ``SoakGrowthRule``.
enum SoakFigure: String, Sendable, Hashable, CaseIterable {
    /// Bytes of storage the files under the node's `storeBaseDir` take (`du`).
    case disk
    /// The same, less the log's data files (`data/`): the log's index, the message store's
    /// consume queues, key index, snapshots and checkpoints. The data files come and go a whole
    /// `dataFileSize` at a time, which would hide a slow growth of everything else in ``disk``.
    case indexDisk = "disk beside the log's data files"
    /// Open file descriptors (`/proc/<pid>/fd`).
    case descriptors = "open descriptors"
    /// Resident memory (`VmRSS` of `/proc/<pid>/status`).
    case rss = "RSS"

    /// The rule this figure is judged by in a group whose data files are `dataFileSize` bytes.
    static func rule(for figure: SoakFigure, dataFileSize: Int) -> SoakGrowthRule {
        switch figure {
        case .disk: SoakGrowthRule(relativeMargin: 0.05, absoluteMargin: UInt64(dataFileSize))
        case .indexDisk: SoakGrowthRule(relativeMargin: 0.05, absoluteMargin: 1 << 20)
        case .descriptors: SoakGrowthRule(relativeMargin: 0.05, absoluteMargin: 8)
        case .rss: SoakGrowthRule(relativeMargin: 0.05, absoluteMargin: 8 << 20)
        }
    }

    /// `value` as the table prints it: MiB with one decimal for bytes, a count for descriptors.
    func text(_ value: UInt64) -> String {
        switch self {
        case .descriptors: String(value)
        case .disk, .indexDisk, .rss: mebibytes(value)
        }
    }
}

/// One sampled value of a figure, `at` from the start of the run.
struct SoakPoint: Sendable, Hashable {
    var at: Duration
    var value: UInt64
}

/// When a figure "keeps growing", the soak's pass/fail rule, as a pure function of the samples.
///
/// Only samples taken at or after the window's start count (the first retention pass on every
/// node plus one `fileReservedTime`: by then the log holds about one reserved time of data and
/// whatever retention frees is freed). Those samples are split in two by count: the last third
/// (rounded up) and the ones before it, the baseline. The figure grew when its largest value in
/// the last third exceeds the baseline's largest by more than the margin: ``absoluteMargin``
/// plus ``relativeMargin`` of the baseline's largest. Comparing maxima to maxima ignores the
/// saw-tooth of a figure that retention brings down now and then; a figure that only rises
/// ends above its baseline by what it gained over the last third. At least
/// ``minimumSamples`` samples must lie in the window, so the baseline holds two or more.
struct SoakGrowthRule: Sendable, Hashable {
    /// The share of the baseline's largest value a figure may add (0.05: 5 %).
    var relativeMargin: Double
    /// What a figure may add on top of that, in its own unit (bytes, descriptors).
    var absoluteMargin: UInt64

    /// Fewer samples in the window than this judge nothing.
    static let minimumSamples = 3

    /// The largest value the last third may reach over a baseline whose largest is `baselineMax`.
    func limit(overBaseline baselineMax: UInt64) -> UInt64 {
        baselineMax + absoluteMargin + UInt64((Double(baselineMax) * relativeMargin).rounded(.up))
    }

    /// Judges `samples` (in time order) from `start` on.
    func judge(_ samples: [SoakPoint], from start: Duration) -> SoakGrowthVerdict {
        let window = samples.filter { $0.at >= start }
        guard window.count >= Self.minimumSamples else { return .tooFewSamples(window.count) }
        let tailCount = (window.count + 2) / 3
        let baseline = window.dropLast(tailCount)
        let tail = window.suffix(tailCount)
        let baselineMax = baseline.map(\.value).max()!
        let peak = tail.max { $0.value < $1.value }!
        let judged = SoakGrowthWindow(
            baselineFrom: baseline.first!.at, tailFrom: tail.first!.at, baselineMax: baselineMax,
            tailMax: peak.value, tailMaxAt: peak.at, limit: limit(overBaseline: baselineMax))
        return peak.value > judged.limit ? .grew(judged) : .steady(judged)
    }
}

/// What a ``SoakGrowthRule`` found.
enum SoakGrowthVerdict: Sendable, Hashable {
    /// Fewer than ``SoakGrowthRule/minimumSamples`` samples in the window (this many).
    case tooFewSamples(Int)
    /// The last third stayed within the limit.
    case steady(SoakGrowthWindow)
    /// The last third went past the limit.
    case grew(SoakGrowthWindow)

    var passed: Bool {
        if case .steady = self { true } else { false }
    }
}

/// The figures a judgement compared.
struct SoakGrowthWindow: Sendable, Hashable {
    /// When the baseline's first sample and the last third's first sample were taken.
    var baselineFrom: Duration
    var tailFrom: Duration
    /// The largest value before the last third, and in it (taken at `tailMaxAt`).
    var baselineMax: UInt64
    var tailMax: UInt64
    var tailMaxAt: Duration
    /// The most the last third was allowed.
    var limit: UInt64
}

/// `bytes` in MiB with one decimal: `57.3 MiB`.
func mebibytes(_ bytes: UInt64) -> String {
    let tenths = (bytes * 10 + (1 << 19)) >> 20
    return "\(tenths / 10).\(tenths % 10) MiB"
}

/// `bytes` as a signed MiB difference: `+1.6 MiB`, `-8.0 MiB`.
func mebibytesChange(from old: UInt64, to new: UInt64) -> String {
    new >= old ? "+" + mebibytes(new - old) : "-" + mebibytes(old - new)
}
