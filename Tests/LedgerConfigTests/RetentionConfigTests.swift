import LedgerConfig
import LedgerModel
import Testing

/// `fileReservedTime`, `deleteWhen` and the disk ratios: RocketMQ's retention settings.
@Suite struct RetentionConfigTests {
    private func parse(_ lines: String...) throws -> NodeConfig {
        try NodeConfig.parse(([requiredLines] + lines).joined(separator: "\n"), source: "t.conf")
    }

    @Test func defaultsAreRocketMQs() throws {
        let config = try parse()
        #expect(config.fileReservedTimeMs == 259_200_000)
        #expect(config.deleteWhenHours == [4])
        #expect(config.diskMaxUsedSpaceRatio == 75)
        #expect(config.diskSpaceCleanForciblyRatio == 85)
        #expect(config.diskSpaceWarningLevelRatio == 90)
    }

    @Test(
        arguments: [
            ("72", 259_200_000), ("72h", 259_200_000), ("1", 3_600_000), ("30m", 1_800_000), ("90s", 90_000),
            ("1s", 1000), ("1000ms", 1000), ("87600h", 315_360_000_000), ("87600", 315_360_000_000),
            ("5256000m", 315_360_000_000), ("007h", 25_200_000),
        ] as [(String, Int64)])
    func fileReservedTimeTakesAUnitOrHours(text: String, milliseconds: Int64) throws {
        #expect(try parse("fileReservedTime=\(text)").fileReservedTimeMs == milliseconds, "\(text)")
    }

    @Test(arguments: [
        "3d", "0", "0s", "999ms", "87601", "87600h1s", "315360000001ms", "1.5h", "-1h", "+72h", "h", "", "72 h",
        "99999999999999999999h",
    ])
    func fileReservedTimeOutsideItsFormOrRangeIsRefused(text: String) {
        #expect(
            errorMessage("\(requiredLines)\nfileReservedTime=\(text)")
                == "conf/n0.conf:5: fileReservedTime: expected a duration such as 72h, 30m or 90s (a bare number "
                + "means hours), from 1s to 87600h, got \"\(text)\"")
    }

    @Test(arguments: [
        ("04", [4]), ("4", [4]), ("0", [0]), ("23", [23]), ("04;16", [4, 16]), ("16;04", [4, 16]),
        ("23;0;12", [0, 12, 23]), (" 04 ; 16 ", [4, 16]),
    ])
    func deleteWhenTakesHoursSeparatedBySemicolons(text: String, hours: [Int]) throws {
        #expect(try parse("deleteWhen=\(text)").deleteWhenHours == hours, "\(text)")
    }

    @Test func deleteWhenNamesThePartThatIsWrong() {
        let expected = #"deleteWhen: expected hours of the day from 0 to 23 separated by ";", such as 04 or 04;16"#
        for (text, why) in [
            ("24", #""24" is not one"#), ("04;25", #""25" is not one"#), ("4pm", #""4pm" is not one"#),
            ("04,16", #""04,16" is not one"#), ("-1", #""-1" is not one"#), ("04;16;04", "hour 4 appears twice"),
            ("4;04", "hour 4 appears twice"), ("", "part 1 is empty"), ("04;", "part 2 is empty"),
            ("04;;16", "part 2 is empty"), (";16", "part 1 is empty"),
        ] {
            #expect(
                errorMessage("\(requiredLines)\ndeleteWhen=\(text)")
                    == "conf/n0.conf:5: \(expected) (\(why)), got \"\(text)\"")
        }
    }

    @Test func diskRatiosCanBeSetInOrder() throws {
        let config = try parse(
            "diskMaxUsedSpaceRatio=60", "diskSpaceCleanForciblyRatio=70", "diskSpaceWarningLevelRatio=80")
        #expect(config.diskMaxUsedSpaceRatio == 60)
        #expect(config.diskSpaceCleanForciblyRatio == 70)
        #expect(config.diskSpaceWarningLevelRatio == 80)
        let equal = try parse(
            "diskMaxUsedSpaceRatio=95", "diskSpaceCleanForciblyRatio=95", "diskSpaceWarningLevelRatio=95")
        #expect(equal.diskMaxUsedSpaceRatio == 95 && equal.diskSpaceCleanForciblyRatio == 95)
    }

    @Test func diskRatiosAreWholePercentsFrom10To99() {
        for key in ["diskMaxUsedSpaceRatio", "diskSpaceCleanForciblyRatio", "diskSpaceWarningLevelRatio"] {
            #expect(
                errorMessage("\(requiredLines)\n\(key)=9")
                    == "conf/n0.conf:5: \(key): expected a whole number of percent from 10 to 99, got \"9\"")
            #expect(
                errorMessage("\(requiredLines)\n\(key)=100")
                    == "conf/n0.conf:5: \(key): expected a whole number of percent from 10 to 99, got \"100\"")
            #expect(
                errorMessage("\(requiredLines)\n\(key)=75%")
                    == "conf/n0.conf:5: \(key): expected a whole number of percent, got \"75%\"")
        }
    }

    /// diskMaxUsedSpaceRatio ≤ diskSpaceCleanForciblyRatio ≤ diskSpaceWarningLevelRatio, blamed on
    /// a key the file sets.
    @Test func diskRatiosOutOfOrderBlameTheKeyTheFileSets() {
        let early = "so expired files are deleted before unexpired ones"
        let beforeRefusing = "so files are deleted before writes are refused"
        #expect(
            errorMessage("\(requiredLines)\ndiskMaxUsedSpaceRatio=90")
                == #"conf/n0.conf:5: diskMaxUsedSpaceRatio: expected at most diskSpaceCleanForciblyRatio (85) "#
                + #"\#(early), got "90""#)
        #expect(
            errorMessage("\(requiredLines)\ndiskSpaceCleanForciblyRatio=70")
                == #"conf/n0.conf:5: diskSpaceCleanForciblyRatio: expected at least diskMaxUsedSpaceRatio (75) "#
                + #"\#(early), got "70""#)
        #expect(
            errorMessage("\(requiredLines)\ndiskSpaceCleanForciblyRatio=80\ndiskMaxUsedSpaceRatio=81")
                == #"conf/n0.conf:6: diskMaxUsedSpaceRatio: expected at most diskSpaceCleanForciblyRatio (80) "#
                + #"\#(early), got "81""#)
        #expect(
            errorMessage("\(requiredLines)\ndiskSpaceCleanForciblyRatio=95")
                == #"conf/n0.conf:5: diskSpaceCleanForciblyRatio: expected at most diskSpaceWarningLevelRatio (90) "#
                + #"\#(beforeRefusing), got "95""#)
        #expect(
            errorMessage("\(requiredLines)\ndiskSpaceWarningLevelRatio=80")
                == #"conf/n0.conf:5: diskSpaceWarningLevelRatio: expected at least diskSpaceCleanForciblyRatio (85) "#
                + #"\#(beforeRefusing), got "80""#)
        let allThree = "diskSpaceWarningLevelRatio=70\ndiskSpaceCleanForciblyRatio=72\ndiskMaxUsedSpaceRatio=60"
        #expect(
            errorMessage("\(requiredLines)\n\(allThree)")
                == #"conf/n0.conf:6: diskSpaceCleanForciblyRatio: expected at most diskSpaceWarningLevelRatio (70) "#
                + #"\#(beforeRefusing), got "72""#)
    }

    @Test func indexFileSizesReachTheMessageStore() throws {
        let defaults = try parse().commitLogConfiguration
        #expect(defaults.consumeQueueFileEntries == 300_000 && defaults.keyIndexSegmentEntries == 262_144)
        let small = try parse("mappedFileSizeConsumeQueue=200000", "maxIndexNum=4096").commitLogConfiguration
        #expect(small.consumeQueueFileEntries == 10_000 && small.keyIndexSegmentEntries == 4096)
        #expect(
            errorMessage("\(requiredLines)\nmappedFileSizeConsumeQueue=200001")
                == "conf/n0.conf:5: mappedFileSizeConsumeQueue: expected a multiple of 20 bytes (one consume-queue "
                + "entry) from 20480 to 200000000, got \"200001\"")
        #expect(
            errorMessage("\(requiredLines)\nmaxIndexNum=12")
                == "conf/n0.conf:5: maxIndexNum: expected a whole number of entries from 1024 to 67108864, got \"12\"")
    }
}
