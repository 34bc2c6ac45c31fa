import LedgerModel
import Testing

@Suite struct TagFilterTests {
    @Test func wildcardAndEmptyMatchEverything() {
        for expression in ["*", "", "  *  "] {
            let filter = TagFilter(expression: expression)
            #expect(filter.tags == nil)
            #expect(filter.matches(tags: nil))
            #expect(filter.matches(tags: "Anything"))
            #expect(filter.matches(tagsCode: 12345))
        }
    }

    @Test func alternatives() {
        let filter = TagFilter(expression: " TagA || TagC ||")
        #expect(filter.tags == ["TagA", "TagC"])
        #expect(filter.matches(tags: "TagA"))
        #expect(filter.matches(tags: "TagC"))
        #expect(!filter.matches(tags: "TagB"))
        #expect(!filter.matches(tags: nil))
        #expect(filter.matches(tagsCode: JavaHash.tagsCode("TagC")))
        #expect(!filter.matches(tagsCode: JavaHash.tagsCode("TagB")))
        #expect(filter.description == "TagA || TagC")
    }
}
