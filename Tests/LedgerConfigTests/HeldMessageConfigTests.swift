import LedgerConfig
import LedgerModel
import Testing

/// `messageDelayLevel`, `maxReconsumeTimes` and the transaction check settings.
@Suite struct HeldMessageConfigTests {
    private func parse(_ lines: String...) throws -> NodeConfig {
        try NodeConfig.parse(([requiredLines] + lines).joined(separator: "\n"), source: "t.conf")
    }

    @Test func defaultsAreRocketMQs() throws {
        let config = try parse()
        #expect(config.messageDelayLevelsMs.count == 18)
        #expect(config.messageDelayLevelsMs.first == 1000 && config.messageDelayLevelsMs.last == 7_200_000)
        #expect(config.commitLogConfiguration.delayLevels == CommitLogConfiguration.defaultDelayLevels)
        #expect(config.maxReconsumeTimes == 16)
        #expect(config.transactionTimeOutMs == 6000 && config.transactionCheckIntervalMs == 60_000)
        #expect(config.transactionCheckMax == 15)
    }

    @Test func delayLevelsTakeRocketMQsUnits() throws {
        let config = try parse("messageDelayLevel=1s  2m 3h 1d", "transactionCheckInterval=2000", "maxReconsumeTimes=2")
        #expect(config.messageDelayLevelsMs == [1000, 120_000, 10_800_000, 86_400_000])
        #expect(config.commitLogConfiguration.delayLevels == config.messageDelayLevelsMs)
        #expect(config.transactionCheckIntervalMs == 2000 && config.maxReconsumeTimes == 2)
    }

    @Test(arguments: [
        ("1s 5x", "level 2, \"5x\", is not one"), ("", "no level"), ("1s -5s", "level 2, \"-5s\", is not one"),
        ("500ms", "level 1, \"500ms\", is not one"), ("31d", "level 1, \"31d\", is out of range"),
        ("0s", "level 1, \"0s\", is out of range"), ("s", "level 1, \"s\", is not one"),
    ])
    func badDelayLevelsAreRefusedNamingTheLevel(text: String, why: String) {
        #expect(
            errorMessage("\(requiredLines)\nmessageDelayLevel=\(text)")
                == "conf/n0.conf:5: messageDelayLevel: expected delays separated by spaces, each a whole number "
                + "with s, m, h or d, such as \"1s 5s 10s 30s 1m\", 1 to 64 levels from 1s to 30d (\(why)), got \"\(text)\""
        )
    }

    @Test func transactionSettingsOutOfRangeAreRefused() {
        #expect(
            errorMessage("\(requiredLines)\ntransactionTimeOut=999")
                == "conf/n0.conf:5: transactionTimeOut: expected a whole number of milliseconds from 1000 to 86400000, "
                + "got \"999\"")
        #expect(
            errorMessage("\(requiredLines)\ntransactionCheckMax=0")
                == "conf/n0.conf:5: transactionCheckMax: expected a whole number of checks from 1 to 1000, got \"0\"")
    }
}
