import Raft
import Testing

@testable import Simulator

/// The seed story of issue 2, with messages: 128 leads, dies; 129 or 130 takes over with every
/// acknowledged message; that leader dies and the survivor cannot lead or accept sends ("no
/// quorum"); a restart brings a leader back with every acknowledged message at its queue offset
/// and every committed consumer offset on every live node.
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
        #expect(story.contains("acknowledged messages present at their queue offsets"), "\(story)")
        #expect(story.contains("offset commits kept"), "\(story)")
    }
}
