import Raft
import Testing

@testable import Simulator

/// The seed story of issue 2: 128 leads, dies; 129 or 130 takes over with nothing lost; that
/// leader dies and the survivor cannot lead or accept writes ("no quorum"); a restart brings a
/// leader back with every acknowledged write on every live node.
@Suite struct FailoverScenarioTests {
    @Test func seedStory128To129Or130() throws {
        var lines: [String] = []
        let scenario = FailoverScenario(narrate: { lines.append($0) })
        do {
            try scenario.run()
        } catch {
            Issue.record("scenario failed: \(error)\n\(lines.joined(separator: "\n"))")
            return
        }
        let story = lines.joined(separator: "\n")
        #expect(story.contains("n128 leads term"), "\(story)")
        #expect(story.contains("n129 leads term") || story.contains("n130 leads term"), "\(story)")
        #expect(story.contains("fails: no quorum"), "\(story)")
        #expect(story.contains("never leader"), "\(story)")
        #expect(story.contains("acknowledged writes present"), "\(story)")
    }
}
