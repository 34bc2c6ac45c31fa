import CommitLog
import LedgerModel
import Testing

@Suite struct StoredRecordTests {
    @Test func storedRecordsCarryTheSendResult() throws {
        let machine = CommitLogStateMachine()
        let result = try machine.send(message(tags: "TagA", keys: ["order-1", "user-9"], properties: ["color": "red"]))
        let stored = try machine.message(at: result.physicalOffset)
        #expect(stored.physicalOffset == result.physicalOffset)
        #expect(stored.queueOffset == result.queueOffset)
        #expect(stored.property("UNIQ_KEY") == result.messageID)
        #expect(stored.messageID == result.messageID)
        #expect(stored.tags == "TagA")
        #expect(stored.keys == ["order-1", "user-9"])
        #expect(stored.property("color") == "red")
        #expect(stored.storeHost == testStamp.storeHost)
        #expect(stored.storeTimestamp == testStamp.storeTimestamp)
        #expect(stored.bornHost == testBornHost)
        // Properties in the documented order: TAGS, KEYS, user properties sorted, UNIQ_KEY.
        #expect(stored.properties.map(\.name) == ["TAGS", "KEYS", "color", "UNIQ_KEY"])
        // The bytes re-encode identically.
        #expect(try StoredMessage(decoding: stored.encodedRecord()) == stored)
    }
}
