import Testing

@testable import LedgerChaos

/// The soak's growth rule: maxima of the last third against the maxima before, from the window's start.
@Suite struct SoakGrowthRuleTests {
    static let rule = SoakGrowthRule(relativeMargin: 0.05, absoluteMargin: 100)

    /// One sample a second from second 0, with these values.
    static func points(_ values: [UInt64]) -> [SoakPoint] {
        values.enumerated().map { SoakPoint(at: .seconds($0.offset), value: $0.element) }
    }

    @Test func aSawToothThatRetentionBringsDownIsSteady() {
        let verdict = Self.rule.judge(Self.points([1000, 1800, 1000, 1800, 1000, 1800, 1000, 1800, 1000]), from: .zero)
        #expect(verdict.passed, "\(verdict)")
        guard case .steady(let window) = verdict else { return }
        #expect(window.baselineMax == 1800 && window.tailMax == 1800 && window.limit == 1800 + 100 + 90)
        #expect(window.tailFrom == .seconds(6), "9 samples: the last 3 are the last third")
    }

    @Test func aFigureThatKeepsRisingGrows() {
        // +60 a sample: the last third (3 samples) ends 180 above the baseline's largest, past 100 + 5 %.
        let verdict = Self.rule.judge(Self.points((0..<9).map { 1000 + 60 * UInt64($0) }), from: .zero)
        guard case .grew(let window) = verdict else {
            Issue.record("expected growth, got \(verdict)")
            return
        }
        #expect(window.baselineMax == 1300 && window.tailMax == 1480 && window.tailMaxAt == .seconds(8))
        #expect(window.limit == 1300 + 100 + 65)
    }

    @Test func theMarginIsAbsolutePlusRelative() {
        // Baseline largest 1000: the limit is 1000 + 100 + 50.
        #expect(Self.rule.judge(Self.points([1000, 1000, 1150]), from: .zero).passed)
        #expect(!Self.rule.judge(Self.points([1000, 1000, 1151]), from: .zero).passed)
    }

    @Test func samplesBeforeTheWindowDoNotCount() {
        // Growth before retention ran (the first six seconds) is not judged.
        let values: [UInt64] = [0, 0, 0, 0, 0, 0, 1000, 1000, 1000]
        #expect(Self.rule.judge(Self.points(values), from: .seconds(6)).passed)
        #expect(!Self.rule.judge(Self.points(values), from: .zero).passed)
    }

    @Test func tooFewSamplesJudgeNothing() {
        #expect(Self.rule.judge(Self.points([1, 2, 3, 4]), from: .seconds(2)) == .tooFewSamples(2))
        #expect(Self.rule.judge([], from: .zero) == .tooFewSamples(0))
        #expect(!SoakGrowthVerdict.tooFewSamples(2).passed)
    }

    @Test func eachFigureHasItsMargin() {
        #expect(SoakFigure.rule(for: .disk, dataFileSize: 8 << 20).absoluteMargin == 8 << 20)
        #expect(SoakFigure.rule(for: .indexDisk, dataFileSize: 8 << 20).absoluteMargin == 1 << 20)
        #expect(SoakFigure.rule(for: .descriptors, dataFileSize: 8 << 20).absoluteMargin == 8)
        #expect(SoakFigure.rule(for: .rss, dataFileSize: 8 << 20).absoluteMargin == 8 << 20)
        #expect(SoakFigure.rss.text(57_671_680) == "55.0 MiB")
        #expect(SoakFigure.descriptors.text(41) == "41")
        #expect(mebibytesChange(from: 3 << 20, to: 1 << 20) == "-2.0 MiB")
    }
}
